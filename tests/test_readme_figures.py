"""The README's experiments table states final positions and losses: they must be the recordings'."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

import optanim
from optanim.spec.sweep import sweep_labels

ROOT = Path(__file__).resolve().parent.parent
LABELS = ("SGD + momentum", "Adamax", "Adagrad", "RMSprop", "Adam", "SGD", "L-BFGS", "Signum",
          # a one-optimizer sweep's runs go by their value
          "scheduler constant", "scheduler warmup_cosine")
PAIR = re.compile(r"\((-?\d+\.\d+), (-?\d+\.\d+)\)(, loss (\d+\.\d+))?")
#: Rows of sweeps: each figure belongs to a value (test_a_sweeps_figures_are_each_values_recording).
SWEEP_ROWS = ("scenes/what-sgd-sees.py",)


def claims() -> list[tuple[str, str, float, float, str | None, str, str]]:
    """(scene file, run label, a, b, loss or None, a's text, b's text) for each pair the table names."""
    text = (ROOT / "README.md").read_text()
    table = text.split("## The experiments", 1)[1].split("\n## ", 1)[0]
    found = []
    for row in table.splitlines():
        scene = re.match(r"\| `(scenes/[\w-]+\.py)` \|", row)
        if not scene:
            continue
        for match in PAIR.finditer(row):
            before = re.split(r"[()|]", row[:match.start()])[-1]   # the words since the last bracket or cell
            named = [(before.rfind(label), label) for label in LABELS if label in before]
            if not named:
                continue   # "the true (1.2, 2.5)": not a run's figure
            label = max(named)[1]
            found.append((scene.group(1), label, float(match.group(1)), float(match.group(2)), match.group(4),
                          match.group(1), match.group(2)))
    return found


def test_the_table_states_figures():
    assert len({c[0] for c in claims()}) >= 6 and len(claims()) >= 15


@pytest.mark.parametrize("scene_file", sorted({c[0] for c in claims() if c[0] not in SWEEP_ROWS}))
def test_figures_are_the_recordings(scene_file):
    scene = optanim.load_scene(ROOT / scene_file)
    if scene.sweep:   # one optimizer at each value: its run goes by the value's label
        labels = sweep_labels(scene)
        by_label = {labels[value]: path for value, recording in optanim.record_sweep(scene).items()
                    for path in recording.paths.values()}
    else:
        recording = optanim.record(replace(scene))
        # "Adam · lr 0.05" where a scene's runs differ in rate: the table names the optimizer
        by_label = {p.label.split(" · lr ")[0]: p for p in recording.paths.values()}
    for _, label, a, b, loss, a_text, b_text in (c for c in claims() if c[0] == scene_file):
        path = by_label[label]
        digits = len(a_text.split(".")[1])
        assert round(float(path.a[-1]), digits) == pytest.approx(a, abs=10 ** -digits / 2), (label, path.a[-1])
        assert round(float(path.b[-1]), digits) == pytest.approx(b, abs=10 ** -digits / 2), (label, path.b[-1])
        if loss is not None:
            assert float(path.full_loss[-1]) == pytest.approx(float(loss), abs=10 ** -len(loss.split(".")[1]) / 2)


def sweep_claims(scene_file: str, labels: dict) -> list[tuple[object, float, float, str]]:
    """(swept value, a, b, loss text) for each pair in a sweep scene's row, each the value named last before it."""
    text = (ROOT / "README.md").read_text()
    row = next(r for r in text.split("## The experiments", 1)[1].splitlines() if r.startswith(f"| `{scene_file}` |"))
    found = []
    for match in PAIR.finditer(row):
        named = [(m.start(), value) for value, label in labels.items()
                 for m in re.finditer(rf"{re.escape(label)}\b", row[:match.start()])]
        found.append((max(named)[1], float(match.group(1)), float(match.group(2)), match.group(4)))
    return found


def test_a_sweeps_figures_are_each_values_recording():
    from optanim.spec.sweep import sweep_labels

    scene = optanim.load_scene(ROOT / "scenes/what-sgd-sees.py")
    recordings = optanim.record_sweep(scene)
    found = sweep_claims("scenes/what-sgd-sees.py", sweep_labels(scene))
    assert [value for value, *_ in found] == [4, 16, 200]
    for value, a, b, loss in found:
        path = recordings[value].paths["sgd"]
        assert round(float(path.a[-1]), 3) == pytest.approx(a, abs=5e-4) and round(float(path.b[-1]), 3) == pytest.approx(b, abs=5e-4)
        assert float(path.full_loss[-1]) == pytest.approx(float(loss), abs=10 ** -len(loss.split(".")[1]) / 2)
    # How far each run travels for how far it gets, and the batch-4 run's batch losses in its last epoch.
    row = next(r for r in (ROOT / "README.md").read_text().splitlines() if r.startswith("| `scenes/what-sgd-sees.py` |"))
    for value, travelled, got in ((4, "32.2", "2.16"), (16, "6.52", None), (200, "2.24", "2.11")):
        path = recordings[value].paths["sgd"]
        assert f"{np.hypot(np.diff(path.a), np.diff(path.b)).sum():.3g}" == travelled and travelled in row
        assert got is None or (f"{np.hypot(path.a[-1] - path.a[0], path.b[-1] - path.b[0]):.3g}" == got and got in row)
    last = recordings[4].paths["sgd"].loss[-recordings[4].steps_per_epoch:]
    assert f"from {last.min():.2g} to {last.max():.2g} in the last epoch" in row
