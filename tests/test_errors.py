"""Bad input gets one clear line and a non-zero exit; nothing good is ever lost."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import optanim
from optanim.training.cache import cached_record, recording_key
from optanim.cli import main
from optanim.errors import OptanimError
from optanim.training.recorder import record

from helpers import decode, tiny_scene

ROOT = Path(__file__).resolve().parent.parent


def run_cli(capsys, *args) -> tuple[int, str]:
    code = main([str(a) for a in args])
    err = capsys.readouterr().err
    return code, err


def scene_file(tmp_path: Path, body: str, name: str = "bad.py") -> Path:
    path = tmp_path / name
    path.write_text("from optanim import Scene\n" + textwrap.dedent(body))
    return path


def one_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


BAD_FIELDS = [
    ("scene = Scene(lrr=0.1)\n", "lrr: unknown Scene field; did you mean 'lr'?"),
    ("scene = Scene(lr=-0.1)\n", "lr: must be a finite number > 0"),
    ("scene = Scene(lr=0)\n", "lr: must be a finite number > 0"),
    ("scene = Scene(batch_size=0)\n", "batch_size: must be a whole number > 0"),
    ("scene = Scene(epochs=-3)\n", "epochs: must be a whole number > 0"),
    ("scene = Scene(duration=0)\n", "duration: must be a finite number > 0"),
    ("scene = Scene(lr=float('nan'))\n", "lr: must be a finite number > 0"),
    ("scene = Scene(weight_decay=float('inf'))\n", "weight_decay: must be a finite number"),
    ("scene = Scene(batch_size=500)\n", "batch_size: 500 is larger than the data (200 samples)"),
    ("scene = Scene(optimizers=['adam', 'adamm'])\n", "optimizers: unknown optimizer 'adamm'; allowed:"),
    ("scene = Scene(optimizers={'adam': {'betas': 3}})\n", "optimizers: adam: torch.optim.Adam rejects"),
    ("scene = Scene(optimizers={'sgd': {'nesterov_x': True}})\n", "torch.optim.SGD rejects"),
    ("scene = Scene(lr_lambda=lambda e: 1 / (e - 3))\n", "lr_lambda: raised ZeroDivisionError"),
    ("scene = Scene(lr_lambda=lambda e: 'fast')\n", "lr_lambda: must return a finite number"),
    ("scene = Scene(a_range=(5, 5))\n", "a_range: min must be < max"),
    ("scene = Scene(b_range=(10, -3))\n", "b_range: min must be < max"),
    ("scene = Scene(resolution=2)\n", "resolution: must be between 8 and 1000"),
    ("scene = Scene(resolution=100000)\n", "resolution: must be between 8 and 1000"),
    ("scene = Scene(scheduler='cosine')\n", "scheduler: unknown scheduler 'cosine'; allowed:"),
    ("scene = Scene(scheduler_order='before')\n", "scheduler_order: 'before' is not allowed; allowed: pytorch, notebook"),
    ("scene = Scene(surface_cmap='jett')\n", "surface_cmap: unknown colour map 'jett'; did you mean"),
    ("scene = Scene(model=lambda x, a, b: float(a) * x)\n", "model: f(x, a, b) raised"),
    ("scene = Scene(optimizers=['sparseadam'])\n", "optimizers: unknown optimizer 'sparseadam'; allowed:"),
    ("scene = Scene(optimizers=['muon'])\n", "optimizers: muon"),
    ("scene = Scene(scheduler='steplr')\n", "scheduler_kwargs: torch.optim.lr_scheduler.StepLR rejects"),
    ("scene = Scene(scheduler='onecyclelr', scheduler_kwargs={'max_lr': 0.1, 'total_steps': 3})\n",
     "scheduler_kwargs: onecyclelr fails over 50 epochs"),
    ("scene = Scene(scheduler='sequentiallr')\n", "scheduler: unknown scheduler 'sequentiallr'"),
    ("scene = Scene(contour_levels=(0, 'a'))\n", "contour_levels: must be at least two increasing numbers"),
    ("scene = Scene(optimizers={'adam': 5})\n", "optimizers: adam: in a mapping each value is a dict"),
]


@pytest.mark.parametrize("body, message", BAD_FIELDS, ids=[m.split(":")[0] for _, m in BAD_FIELDS])
def test_bad_field_is_one_line_naming_file_field_and_allowed(tmp_path, capsys, body, message):
    path = scene_file(tmp_path, body)
    code, err = run_cli(capsys, path, "--check")
    assert code == 1
    line = one_line(err)
    assert str(path) in line and message in line


def test_misspelt_init_scene_field_suggests_an_init_scene_field(tmp_path, capsys):
    path = tmp_path / "init_typo.py"
    path.write_text("from optanim import InitScene\nscene = InitScene(dept=4)\n")
    code, err = run_cli(capsys, path, "--check")
    assert code == 1 and "dept: unknown InitScene field; did you mean 'depth'?" in one_line(err)


def test_missing_folder_and_not_python(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("hi")
    for target, message in ((tmp_path / "nope.py", "no such scene file"), (tmp_path, "is a folder"),
                            (tmp_path / "notes.txt", "must be a .py file")):
        code, err = run_cli(capsys, target, "--check")
        assert code == 1 and message in one_line(err)


def test_syntax_error_and_raising_scene_give_the_scene_files_line(tmp_path, capsys):
    path = scene_file(tmp_path, "x = 1\nscene = Scene(lr=0.1\n")
    code, err = run_cli(capsys, path, "--check")
    assert code == 1 and f"{path}:3: syntax error" in one_line(err)
    path = scene_file(tmp_path, "x = 1\n\ny = {}['missing']\nscene = Scene()\n", "raises.py")
    code, err = run_cli(capsys, path, "--check")
    assert code == 1 and f"{path}:4: KeyError" in one_line(err)


def test_no_scene_and_several_scenes(tmp_path, capsys):
    code, err = run_cli(capsys, scene_file(tmp_path, "x = 1\n"), "--check")
    assert code == 1 and "defines no scene" in one_line(err)
    several = scene_file(tmp_path, "fast = Scene(lr=0.1)\nslow = Scene(lr=0.001)\n", "two.py")
    code, err = run_cli(capsys, several, "--check")
    assert code == 1 and "pick one with --scene NAME" in one_line(err)
    assert run_cli(capsys, several, "--check", "--scene", "slow")[0] == 0
    assert optanim.load_scene(several, "slow").lr == 0.001
    code, err = run_cli(capsys, several, "--check", "--scene", "medium")
    assert code == 1 and "fast, slow" in one_line(err)


def test_init_outside_window_warns_but_runs(tmp_path, capsys):
    path = scene_file(tmp_path, "scene = Scene(init=(20.0, 1.0))\n")
    code, err = run_cli(capsys, path, "--check")
    assert code == 0 and "warning" in err and "init" in err


def test_bad_command_line_options(tmp_path, capsys):
    scene = ROOT / "scenes" / "exp1.py"
    for args, message in ((["--views", "contour,bogus"], "unknown view 'bogus'"),
                          (["--format", "avi"], "unknown format 'avi'"),
                          (["--duration", "-1"], "duration: must be a finite number > 0")):
        code, err = run_cli(capsys, scene, "--check", *args)
        assert code == 1 and message in one_line(err)
    with pytest.raises(SystemExit) as exit_info:
        main([str(scene), "--quality", "z"])
    assert exit_info.value.code == 2 and "invalid choice" in one_line(capsys.readouterr().err)


def test_cuda_without_gpu_says_so(tmp_path, capsys):
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    for extra in ([], ["--check"]):
        code, err = run_cli(capsys, ROOT / "scenes" / "exp1.py", "--device", "cuda", "--out", tmp_path, *extra)
        assert code == 1 and "no CUDA GPU; use --device cpu" in one_line(err)


def test_options_that_do_not_apply_to_the_init_scene(tmp_path, capsys):
    code, err = run_cli(capsys, ROOT / "scenes" / "init.py", "--views", "contour", "--check")
    assert code == 1 and "--views do not apply to an initialisation scene" in one_line(err)


def test_unwritable_output_folder(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    code, err = run_cli(capsys, ROOT / "scenes" / "exp1.py", "--out", blocker / "media")
    assert code == 1 and "--out: cannot write" in one_line(err)


def test_corrupt_cache_is_rebuilt(tmp_path):
    scene = tiny_scene()
    first = cached_record(scene, tmp_path, record)
    target = tmp_path / f"tiny-{recording_key(scene)}.npz"
    assert target.exists()
    target.write_bytes(b"garbage, as after a crash")
    again = cached_record(scene, tmp_path, record)
    np.testing.assert_array_equal(again.paths["adam"].a, first.paths["adam"].a)
    assert optanim.output.export.load_npz(target).n_steps == first.n_steps


def test_cache_key_changes_with_what_changes_the_recording():
    base = tiny_scene()
    assert recording_key(tiny_scene(optimizers=["adam", "sgd"])) != recording_key(base)  # order shows
    assert recording_key(base) == recording_key(tiny_scene(title="another title", duration=3))
    for change in (dict(lr=0.06), dict(lr_lambda=lambda e: 0.5 ** e), dict(seed=1),
                   dict(optimizers={"sgd": {}, "adam": {"betas": (0.8, 0.9)}}),
                   dict(model=lambda x, a, b: a * x + b)):
        assert recording_key(tiny_scene(**change)) != recording_key(base), change


def test_every_optimizer_diverging_still_renders_and_says_so(tmp_path, capsys):
    path = scene_file(tmp_path, "scene = Scene(lr=30.0, epochs=2, optimizers=['rmsprop', 'adam'], "
                                "duration=0.5, hold=0.2)\n", "alldiverge.py")
    code = main([str(path), "-ql", "--views", "contour", "--out", str(tmp_path / "out")])
    out = capsys.readouterr().out
    assert code == 0
    assert out.count("diverged at step") == 2
    assert (tmp_path / "out" / "alldiverge" / "480p15" / "contour.mp4").exists()


def _cli(*args, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "optanim", *map(str, args)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)


@pytest.mark.parametrize("how", ["ctrl-c", "kill"])
def test_interrupt_mid_encode_keeps_the_earlier_video_and_no_temporaries(tmp_path, how):
    # long enough (1800 frames) that the render is still going when the signal comes, however fast
    scene = scene_file(tmp_path, "scene = Scene(epochs=2, optimizers=['adam'], duration=120)\n", "long.py")
    out = tmp_path / "out"
    folder = out / "long" / "480p15"
    folder.mkdir(parents=True)
    good = folder / "contour.mp4"
    good.write_bytes(b"an earlier good video")
    # Its own process group, as a terminal gives a command: Ctrl-C signals the whole group.
    process = _cli(scene, "-ql", "--views", "contour", "--out", out, start_new_session=True)
    deadline = time.time() + 60
    while time.time() < deadline and not any("partial" in p.name for p in folder.iterdir()):
        time.sleep(0.05)
    time.sleep(0.5)
    if how == "ctrl-c":
        os.killpg(process.pid, signal.SIGINT)
    else:
        process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130
    assert "interrupted" in one_line(err)
    assert good.read_bytes() == b"an earlier good video"
    assert sorted(os.listdir(folder)) == ["contour.mp4"]


def test_two_renders_at_once_do_not_corrupt_each_other(tmp_path):
    scene = scene_file(tmp_path, "scene = Scene(epochs=2, optimizers=['sgd'], duration=1, hold=0)\n", "twice.py")
    out = tmp_path / "out"
    runs = [_cli(scene, "-ql", "--views", "lr", "--out", out, "--quiet") for _ in range(2)]
    for run in runs:
        _, err = run.communicate(timeout=120)
        assert run.returncode == 0, err
    folder = out / "twice" / "480p15"
    assert sorted(os.listdir(folder)) == ["lr.mp4"]
    _, frames = decode(folder / "lr.mp4")
    assert len(frames) == 15
    assert len(list((out / ".cache").glob("*.npz"))) == 1
    assert not list((out / ".cache").glob("*partial*"))


finite = st.floats(allow_nan=True, allow_infinity=True, width=32)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lr=finite, batch_size=st.integers(-2, 260), epochs=st.integers(-1, 2),
       init=st.tuples(finite, finite), a_range=st.tuples(finite, finite),
       optimizers=st.lists(st.sampled_from(["sgd", "adam", "adamw", "rmsprop", "bogus"]), min_size=0,
                           max_size=3),
       momentum=finite, duration=finite)
def test_random_fields_either_record_and_render_or_fail_in_one_clean_line(
        lr, batch_size, epochs, init, a_range, optimizers, momentum, duration):
    try:
        scene = optanim.Scene(lr=lr, batch_size=batch_size, epochs=epochs, init=init, a_range=a_range,
                              optimizers=optimizers, momentum=momentum, duration=duration)
    except OptanimError as error:
        message = str(error)
        assert "\n" not in message and ": " in message
        return
    recording = optanim.record(scene)
    assert recording.n_steps == epochs * -(-200 // batch_size)
    from optanim.stage.animator import Animator
    from optanim.spec.quality import QUALITIES
    from optanim.render import build_movie
    from optanim.stage.layout import compose

    quality = QUALITIES["l"]
    movie = build_movie(scene, recording, quality)
    fig, views = compose("contour", movie, quality)
    frame = Animator(fig, views).frame(movie.timeline.n_frames - 1)
    assert frame.shape == (480, 854, 4)
