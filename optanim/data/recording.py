"""What a training run leaves behind: plain numpy arrays, one entry per step; and its results table."""

from __future__ import annotations

import html
from dataclasses import dataclass, field

import numpy as np

from .plane import Plane


@dataclass(frozen=True)
class Trajectory:
    """One run. a[i], b[i] are the parameters before step i; loss[i] the loss step i trained on
    (the mini-batch's); full_loss[i] the loss over everything there; lr[i] the learning rate step i used;
    grad[i] what .grad held for (a, b) when step i called optimizer.step(), shape (n_steps, 2)
    (the loss's gradient: weight decay is the optimizer's own business inside step()).

    state[name][i] is the optimizer's own per-parameter state after step i, under torch.optim's own
    names (momentum_buffer, sum, square_avg, exp_avg, exp_avg_sq, exp_inf, ...), (a, b) in each row;
    hyper its settings (betas.0, eps, momentum, ...) as its param_group held them.
    evaluations[i] is how often step i evaluated the loss and its gradient, for a run whose step()
    takes a closure (L-BFGS: its line search); None for the others (one evaluation a step).

    A run that diverged keeps only its good steps: len(a) == diverged_at.

    A network's run (recording.plane set): a, b are its weights projected onto the plane; weights[j]
    its weights at recording.kept_steps[j] (parameters_to_vector order; row 0 the start, the last row
    where the path ends); off_plane[i] its distance from the plane relative to its distance from the
    start; plane_loss[i] the plane's loss under the head (the landscape's), beside full_loss[i], the
    real one; test_loss[i] and, for classes, accuracy[i] (on the held-out samples) at step i."""

    key: str
    label: str
    a: np.ndarray
    b: np.ndarray
    loss: np.ndarray
    full_loss: np.ndarray
    lr: np.ndarray
    grad: np.ndarray             # (steps, 2)
    diverged_at: int | None = None
    diverged_why: str = ""
    optimizer: str = ""          # the registry name ("own:<Class>" for a class of one's own): colour, marker
    state: dict[str, np.ndarray] = field(default_factory=dict)     # name -> (steps, 2)
    hyper: dict[str, float] = field(default_factory=dict)
    evaluations: np.ndarray | None = None   # (steps,) ints, where step() takes a closure
    weights: np.ndarray | None = None            # (kept steps, P)
    off_plane: np.ndarray | None = None          # (steps,)
    plane_loss: np.ndarray | None = None         # (steps,)
    test_loss: np.ndarray | None = None          # (steps,)
    accuracy: np.ndarray | None = None           # (steps,), test accuracy, classes only

    def __post_init__(self) -> None:
        if not self.optimizer:
            object.__setattr__(self, "optimizer", self.key)

    @property
    def diverged(self) -> bool:
        return self.diverged_at is not None

    @property
    def landscape_loss(self) -> np.ndarray:
        """The landscape's loss under each step's (a, b): the loss itself, or for a projected path the
        plane's (its own lies off the surface, above or below it, where it would read as hidden)."""
        return self.full_loss if self.plane_loss is None else self.plane_loss

    def __repr__(self) -> str:
        end = (f"ends at ({self.a[-1]:.4g}, {self.b[-1]:.4g}), loss {self.full_loss[-1]:.4g}" if len(self.a)
               else "no good step")
        status = f", diverged at step {self.diverged_at} ({self.diverged_why})" if self.diverged else ""
        return f"Trajectory({self.label!r}: {len(self.a)} steps, {end}{status})"


@dataclass(frozen=True)
class Recording:
    """Every run's path through one scene. A data scene also keeps the data and the batches all saw
    (x, y, order, batch_size); a scene without data has None there."""

    paths: dict[str, Trajectory] = field(default_factory=dict)
    epochs: int = 0
    steps_per_epoch: int = 1
    minima: tuple[tuple[float, float], ...] = ()     # the answers to mark (the true parameters)
    x: np.ndarray | None = None
    y: np.ndarray | None = None
    order: np.ndarray | None = None          # epochs × n_samples: each epoch's shuffled indices
    batch_size: int | None = None
    # a network scene's: the plane its paths are projected on, the steps whose weights are kept, the
    # held-out samples, and whether the data are "classes" or "regression"
    plane: Plane | None = None
    kept_steps: np.ndarray | None = None
    x_test: np.ndarray | None = None
    y_test: np.ndarray | None = None
    task: str = ""

    @property
    def n_steps(self) -> int:
        return self.epochs * self.steps_per_epoch

    @property
    def has_data(self) -> bool:
        return self.x is not None

    def __repr__(self) -> str:
        return "Recording(\n" + report(self) + "\n)"

    def _repr_html_(self) -> str:
        return report_html(self)

    def batch(self, step: int) -> np.ndarray:
        """The sample indices of the mini-batch at this step."""
        epoch, i = divmod(step, self.steps_per_epoch)
        return self.order[epoch, i * self.batch_size:(i + 1) * self.batch_size]


#: The results table: final a, b, loss and divergence per run, as text or HTML.
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
    width = max([16, *(len(path.label) + 2 for path in recording.paths.values())])   # "Adam · lr 0.05"
    rows = [f"{name + ': ' if name else ''}{summary(recording)}",
            f"  {HEADER[0]:<{width}}{HEADER[1]:>10}{HEADER[2]:>10}{HEADER[3]:>12}  {HEADER[4]}"]
    for path in recording.paths.values():
        label, a, b, loss, status = _row(path)
        rows.append(f"  {label:<{width}}{a:>10}{b:>10}{loss:>12}  {status}")
    return "\n".join(rows)


def report_html(recording: Recording) -> str:
    """The same table as HTML, for a Jupyter cell."""
    head = "".join(f"<th>{h}</th>" for h in HEADER)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in _row(path)) + "</tr>"
                   for path in recording.paths.values())
    return (f"<div><b>Recording</b>: {html.escape(summary(recording))}"
            f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>")


def table_rows(recording: Recording) -> list[tuple[str, str, str, str, str]]:
    """The results table's rows (under HEADER), one per run, as text."""
    return [_row(path) for path in recording.paths.values()]


#: A run arrives at a minimum where it ends this close to it, relative to the minimum's distance
#: from the origin (at least 1): Adam's (1.239, 2.509) in exp1 is next to (1.2, 2.5), Adagrad's
#: (1.661, 3.997) is not.
ARRIVES_WITHIN = 0.05


def story(recording: Recording) -> str:
    """What the recording shows, in the README's words: where the runs start, who arrives at which
    minimum and where, who stops elsewhere, who diverges (the deck's default speaker notes)."""
    paths = list(recording.paths.values())
    started = [path for path in paths if len(path.a)]
    length = (f"{recording.epochs} epochs ({recording.n_steps} steps)" if recording.has_data
              else f"{recording.n_steps} steps")
    sentences = [f"{len(paths)} runs start at ({started[0].a[0]:.4g}, {started[0].b[0]:.4g}) and train for {length}."
                 if started else f"{len(paths)} runs, none with a good step."]
    reached: dict[tuple[float, float], list[str]] = {}
    elsewhere = []
    for path in sorted((p for p in started if not p.diverged), key=lambda p: float(p.full_loss[-1])):
        end = f"{path.label} at ({path.a[-1]:.3f}, {path.b[-1]:.3f}), loss {path.full_loss[-1]:.3g}"
        near = [m for m in recording.minima
                if np.hypot(path.a[-1] - m[0], path.b[-1] - m[1]) <= ARRIVES_WITHIN * max(1.0, np.hypot(*m))]
        if near:
            reached.setdefault(tuple(near[0]), []).append(end)
        else:
            elsewhere.append(end)
    diverged = [f"{p.label} at step {p.diverged_at} ({p.diverged_why})" for p in paths if p.diverged]
    for (a, b), ends in reached.items():
        sentences.append(f"Next to the minimum ({a:.4g}, {b:.4g}): {'; '.join(ends)}.")
    if elsewhere:
        sentences.append(f"{'Elsewhere' if reached else 'None reaches a minimum'}: {'; '.join(elsewhere)}.")
    if diverged:
        sentences.append(f"Diverged: {'; '.join(diverged)}.")
    return " ".join(sentences)
