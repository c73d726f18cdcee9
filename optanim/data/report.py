"""The results of a recording as a table: final a, b, loss and divergence per run, as text or HTML."""

from __future__ import annotations

import html

from .recording import Recording, Trajectory

HEADER = ("optimizer", "a", "b", "loss", "status")


def _row(path: Trajectory) -> tuple[str, str, str, str, str]:
    if len(path.a):
        a, b, loss = f"{path.a[-1]:.4f}", f"{path.b[-1]:.4f}", f"{path.full_loss[-1]:.5g}"
    else:
        a = b = loss = "-"
    status = f"diverged at step {path.diverged_at} ({path.diverged_why})" if path.diverged else "ok"
    return path.label, a, b, loss, status


def summary(recording: Recording) -> str:
    """One line: how long the runs were."""
    runs = len(recording.paths)
    if recording.has_data:
        return f"{recording.epochs} epochs, {recording.n_steps} steps per run, {runs} runs"
    return f"{recording.n_steps} steps per run, {runs} runs"


def report(recording: Recording, name: str = "") -> str:
    """The per-run table as text: final a, b, loss over everything, and divergence."""
    rows = [f"{name + ': ' if name else ''}{summary(recording)}",
            f"  {HEADER[0]:<16}{HEADER[1]:>10}{HEADER[2]:>10}{HEADER[3]:>12}  {HEADER[4]}"]
    for path in recording.paths.values():
        label, a, b, loss, status = _row(path)
        rows.append(f"  {label:<16}{a:>10}{b:>10}{loss:>12}  {status}")
    return "\n".join(rows)


def report_html(recording: Recording) -> str:
    """The same table as HTML, for a Jupyter cell."""
    head = "".join(f"<th>{h}</th>" for h in HEADER)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in _row(path)) + "</tr>"
                   for path in recording.paths.values())
    return (f"<div><b>Recording</b>: {html.escape(summary(recording))}"
            f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>")
