"""The README's experiments table states final positions and losses: they must be the recordings'."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

import optanim
from optanim.spec.sweep import sweep_labels

ROOT = Path(__file__).resolve().parent.parent
LABELS = ("SGD + momentum", "Adamax", "Adagrad", "RMSprop", "Adam", "SGD", "L-BFGS", "Signum",
          # a one-optimizer sweep's runs go by their value
          "scheduler constant", "scheduler warmup_cosine")
PAIR = re.compile(r"\((-?\d+\.\d+), (-?\d+\.\d+)\)(, loss (\d+\.\d+))?")


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


@pytest.mark.parametrize("scene_file", sorted({c[0] for c in claims()}))
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
