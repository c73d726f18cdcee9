"""The command line's report table and exports agree with the recording."""

from __future__ import annotations

from pathlib import Path

import csv
import numpy as np

import optanim
from optanim.cli import main

from helpers import tiny_scene


def test_record_only_prints_the_table_and_exports_npz_and_csv(tmp_path, capsys):
    scene_file = tmp_path / "small.py"
    scene_file.write_text("from optanim import Scene\nscene = Scene(epochs=2, optimizers=['sgd', 'adamw'])\n")
    assert main([str(scene_file), "--record-only", "--export", "-ql", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    recording = optanim.record(optanim.load_scene(scene_file))
    adamw = recording.paths["adamw"]
    assert f"{adamw.a[-1]:.4f}" in out and "AdamW" in out and "ok" in out
    folder = tmp_path / "small"   # the scene's data, not a quality's: no 480p15 folder
    assert not (folder / "480p15").exists()
    assert f"{folder / 'recording.npz'}  (" in out and f"{folder / 'recording.csv'}  (" in out   # with sizes
    loaded = optanim.output.export.load_npz(folder / "recording.npz")
    np.testing.assert_array_equal(loaded.paths["adamw"].full_loss, adamw.full_loss)
    np.testing.assert_array_equal(loaded.order, recording.order)
    with open(folder / "recording.csv") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 2 * recording.n_steps
    last = [r for r in rows if r["optimizer"] == "adamw"][-1]
    assert float(last["a"]) == float(adamw.a[-1]) and float(last["lr"]) == adamw.lr[-1]


def test_second_run_uses_the_cache(tmp_path, capsys, monkeypatch):
    scene = tiny_scene()
    first = optanim.render(scene, views=["lr"], quality="l", formats=["png"], out=tmp_path)
    assert list((tmp_path / ".cache").glob("tiny-*.npz"))
    import importlib

    render_module = importlib.import_module("optanim.render")  # the package's render is the function

    def no_training(scene):
        raise AssertionError("recorded again despite the cache")

    monkeypatch.setattr(render_module, "record", no_training)
    assert optanim.render(scene, views=["lr"], quality="l", formats=["png"], out=tmp_path) == first


def test_clear_cache_empties_the_cache(tmp_path, capsys):
    optanim.render(tiny_scene(), views=["lr"], quality="l", formats=["png"], out=tmp_path)
    assert list((tmp_path / ".cache").glob("*.npz"))
    assert main(["--clear-cache", "--out", str(tmp_path)]) == 0
    assert "removed 1 cached" in capsys.readouterr().out
    assert not list((tmp_path / ".cache").glob("*.npz"))


def test_cache_evicts_the_least_recently_used_first(tmp_path):
    import os

    from optanim.training.cache import evict

    files = []
    for k in range(4):
        path = tmp_path / f"s{k}.npz"
        path.write_bytes(b"x" * 1000)
        os.utime(path, (k, k))   # s0 is the oldest
        files.append(path)
    removed = evict(tmp_path, 2500, keep=files[0])
    assert removed == [files[1], files[2]]
    assert files[0].exists() and files[3].exists()


def test_report_and_reprs_are_short(capsys):
    recording = optanim.record(optanim.load_scene(Path(__file__).parent.parent / "scenes" / "exp1.py"))
    text = optanim.report(recording)
    assert all(p.label in text for p in recording.paths.values())
    assert f"{recording.paths['adam'].full_loss[-1]:.5g}" in text
    for obj in (recording, recording.paths["adam"], optanim.landscape(optanim.Scene()), optanim.Scene(lr=0.5)):
        assert len(repr(obj)) < 2000, type(obj)
    assert repr(optanim.Scene(lr=0.5)) == "Scene(lr=0.5)"
    html = recording._repr_html_()
    assert "<table" in html and "SGD + momentum" in html and len(html) < 5000

