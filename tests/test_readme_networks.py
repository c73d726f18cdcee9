"""The README's rows for network scenes state each run's final loss and test accuracy (or test loss):
they must be the recordings'."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import optanim

ROOT = Path(__file__).resolve().parent.parent
LABELS = ("SGD + momentum", "Muon + AdamW", "RMSprop", "Adam", "SGD")
CLAIM = re.compile(r"(SGD \+ momentum|Muon \+ AdamW|RMSprop|Adam|SGD) \(loss (\d+\.\d+), test (?:accuracy (\d+)%|loss (\d+\.\d+))\)")


def claims() -> dict[str, list[tuple[str, str, str | None, str | None]]]:
    table = (ROOT / "README.md").read_text().split("## The experiments", 1)[1].split("\n## ", 1)[0]
    found: dict[str, list] = {}
    for row in table.splitlines():
        scene = re.match(r"\| `(scenes/net-[\w-]+\.py)` \|", row)
        if scene:
            found[scene.group(1)] = [m.groups() for m in CLAIM.finditer(row)]
    return found


def test_every_network_scene_has_a_row_with_figures():
    scenes = {f"scenes/{p.name}" for p in (ROOT / "scenes").glob("net-*.py")}
    assert scenes and set(claims()) == scenes
    assert all(len(runs) >= 2 for runs in claims().values())


@pytest.mark.parametrize("scene_file", sorted(claims()))
def test_network_figures_are_the_recordings(scene_file):
    recording = optanim.record(optanim.load_scene(ROOT / scene_file))
    by_label = {p.label.split(" · lr ")[0]: p for p in recording.paths.values()}
    for label, loss, accuracy, test_loss in claims()[scene_file]:
        path = by_label[label]
        assert float(path.full_loss[-1]) == pytest.approx(float(loss), abs=10 ** -len(loss.split(".")[1]) / 2), label
        if accuracy is not None:
            assert round(100 * float(path.accuracy[-1])) == int(accuracy), label
        else:
            assert float(path.test_loss[-1]) == pytest.approx(float(test_loss), abs=10 ** -len(test_loss.split(".")[1]) / 2)
