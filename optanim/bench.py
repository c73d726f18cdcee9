"""python -m optanim.bench: optanim against what a user would do by hand, measured side by side.

Machines are shared and noisy, so every row times optanim and its baseline in the same run, one
after the other, and reports the ratio; each figure is the median of --repeat runs.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import warnings
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Sequence

import numpy as np

from .benchkit import Row, median_time, run_measured
from .benchkit import verdict as _verdict

SCENES = Path(__file__).resolve().parent.parent / "scenes"


@dataclass(frozen=True)
class Plan:
    """The sizes one benchmark run uses: the issue's figures, or a short smoke run (--quick)."""

    epochs: int                 # of exp5 for the recording row
    grids: tuple[int, ...]      # landscape resolutions
    video_seconds: float        # contour and surface rows, at 720p30
    gif_seconds: float          # GIF row, at 480p
    job_scenes: tuple[int, ...]  # whole-job row: which experiments
    job_args: tuple[str, ...]   # and the arguments after the scene files
    memory_seconds: tuple[float, float]  # memory row: short and long render
    memory_quality: str
    field_starts: int = 200     # field rows: starts per optimizer
    field_epochs: tuple[int, int] = (2, 5)  # of exp1 (recording and drawing rows) and of exp5 (memory row)
    field_quality: str = "l"    # memory row
    batch_quality: str = "m"    # batch landscapes row: exp1 at this quality...
    batch_epochs: int | None = None   # ...and for this many epochs (None: its own 50)


FULL = Plan(epochs=200, grids=(100, 400), video_seconds=10.0, gif_seconds=10.0,
            job_scenes=(1, 2, 3, 4, 5), job_args=("-qm",),
            memory_seconds=(5.0, 60.0), memory_quality="h",
            field_starts=10_000, field_epochs=(50, 200), field_quality="m")
QUICK = Plan(epochs=10, grids=(20, 40), video_seconds=0.5, gif_seconds=0.5,
             job_scenes=(1,), job_args=("-ql", "--duration", "0.3", "--views", "contour"),
             memory_seconds=(0.5, 3.0), memory_quality="l", batch_quality="l", batch_epochs=5)


def _scene(plan: Plan, **changes):
    from .scenefile import load_scene

    return replace(load_scene(SCENES / "exp5.py"), epochs=plan.epochs, **changes)


# -- 1. recording ---------------------------------------------------------------------------------

class _EpochBatches:
    """The recorder's shuffled batches, a new epoch's on each pass: DataLoader(shuffle=True) as the
    notebook uses it, but with the recorder's draws so that the numbers can be compared."""

    def __init__(self, order, batch_size: int) -> None:
        self.order, self.batch_size, self.epoch = order, batch_size, -1

    def __iter__(self):
        self.epoch += 1
        perm = self.order[self.epoch].tolist()
        return iter([perm[i:i + self.batch_size] for i in range(0, len(perm), self.batch_size)])


def notebook_train(scene) -> dict[str, tuple[list[float], list[float], list[float]]]:
    """The notebook's train(): a DataLoader over list(zip(X, y)), one optimizer after another,
    float() of a, b and the loss at every step."""
    import torch

    from .spec.datafit import batch_order, make_data
    from .training.optimizers import make_optimizer, make_scheduler

    X, y = make_data(scene)
    order = batch_order(scene, len(X))
    criterion = torch.nn.MSELoss()
    lists = {}
    for run in scene.runs:
        dataloader = torch.utils.data.DataLoader(list(zip(X, y)),
                                                 batch_sampler=_EpochBatches(order, scene.batch_size))
        a, b = [torch.tensor(float(p), requires_grad=True) for p in scene.init]
        optimizer = make_optimizer(run, [a, b], lr=scene.lr, weight_decay=scene.weight_decay,
                                   momentum=scene.momentum)
        scheduler = make_scheduler(scene.scheduler, optimizer, scene.scheduler_kwargs, scene.lr_lambda)
        a_list, b_list, cost_list = [], [], []
        for epoch in range(scene.epochs):
            if scene.scheduler_order == "notebook":
                scheduler.step()
            for input, target in dataloader:
                a_list.append(float(a))
                b_list.append(float(b))
                optimizer.zero_grad()
                loss = criterion(scene.model(input, a, b), target)
                cost_list.append(float(loss))
                loss.backward()
                optimizer.step()
            if scene.scheduler_order == "pytorch":
                scheduler.step()
        lists[run.key] = (a_list, b_list, cost_list)
    return lists


def bench_recording(plan: Plan, repeat: int) -> Row:
    from .training.recorder import record

    scene = _scene(plan)
    with warnings.catch_warnings():
        # The notebook's float(a) on a leaf that requires grad, and its scheduler order, both warn.
        warnings.simplefilter("ignore", UserWarning)
        record(replace(scene, epochs=1))   # pays torch's one-off first-step imports before timing
        ours = median_time(lambda: record(scene), repeat)
        theirs = median_time(lambda: notebook_train(scene), repeat)
        recording, reference = record(scene), notebook_train(scene)
    identical = all(np.array_equal(recording.paths[k].a, np.float32(a)) and
                    np.array_equal(recording.paths[k].b, np.float32(b)) and
                    np.array_equal(recording.paths[k].loss, np.float32(cost))
                    for k, (a, b, cost) in reference.items())
    steps = recording.n_steps * len(recording.paths)
    ratio = theirs / ours
    return Row(f"1 recording exp5, {steps} steps vs notebook loop", f"{steps / ours:,.0f} steps/s",
               f"{steps / theirs:,.0f} steps/s", f"{ratio:.2f}x", ">= 2.5x, identical",
               _verdict(ratio >= 2.5 and identical) + f" (identical: {_verdict(identical)})")


def bench_field_recording(plan: Plan, repeat: int):
    """Particle-steps per second of a field of starts on exp1 against the notebook loop's steps per
    second; also returns the scene and its field, for the drawing row."""
    from .scenefile import load_scene
    from .training.field import record_field

    scene = replace(load_scene(SCENES / "exp1.py"), epochs=plan.field_epochs[0], starts=plan.field_starts,
                    duration=plan.video_seconds, hold=0.0)
    last = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        record_field(replace(scene, epochs=1, starts=1))   # torch's one-off first-step imports
        ours = median_time(lambda: last.append(record_field(scene)), repeat)
        theirs = median_time(lambda: notebook_train(scene), repeat)
    field = last[-1]
    steps = field.n_steps * len(field.a)
    ratio = steps * field.n_starts / ours / (steps / theirs)
    return Row(f"8 field recording exp1, {field.n_starts} starts x {len(field.a)} vs notebook loop",
               f"{steps * field.n_starts / ours:,.0f} particle-steps/s", f"{steps / theirs:,.0f} steps/s",
               f"{ratio:.0f}x", ">= 500x", _verdict(ratio >= 500)), scene, field


# -- 2. landscape ---------------------------------------------------------------------------------

def notebook_landscape(scene, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The notebook's cost3D: the loss at one (a, b) at a time."""
    import torch

    from .spec.datafit import make_data

    X, y = make_data(scene)
    criterion = torch.nn.MSELoss()
    a3D, b3D = np.meshgrid(a, b)
    return np.array([criterion(scene.model(X, float(a_), float(b_)), y).detach().cpu().numpy()
                     for a_, b_ in zip(a3D.flatten(), b3D.flatten())]).reshape(a3D.shape)


def bench_landscape(plan: Plan, repeat: int) -> list[Row]:
    from .data.landscape import landscape

    rows = []
    for size in plan.grids:
        scene = _scene(plan, resolution=size)
        land = landscape(scene)
        ours = median_time(lambda: landscape(scene), repeat)
        theirs = median_time(lambda: notebook_landscape(scene, land.a, land.b), repeat)
        identical = np.array_equal(land.loss, notebook_landscape(scene, land.a, land.b))
        ratio = theirs / ours
        rows.append(Row(f"2 landscape {size}x{size} vs point-by-point loop", f"{ours * 1e3:.1f} ms",
                        f"{theirs * 1e3:.0f} ms", f"{ratio:.0f}x", ">= 40x, identical",
                        _verdict(ratio >= 40 and identical) + f" (identical: {_verdict(identical)})"))
    return rows


# -- 3, 4. videos against FuncAnimation -----------------------------------------------------------

def _movie(plan: Plan, seconds: float, quality_key: str):
    from .spec.quality import QUALITIES
    from .render import build_movie, get_recording

    scene = _scene(plan, duration=seconds, hold=0.0)
    quality = QUALITIES[quality_key]
    return build_movie(scene, get_recording(scene, None), quality), quality


def funcanimation_save(movie, view: str, quality, target: Path) -> None:
    """What a user writes by hand: FuncAnimation redrawing the whole figure, FFMpegWriter saving it,
    with the encoder settings optanim uses."""
    import matplotlib
    import matplotlib.animation as animation

    from .stage.layout import compose
    from .output.ffmpeg import CODECS, ffmpeg_exe

    matplotlib.rcParams["animation.ffmpeg_path"] = ffmpeg_exe()
    fig, views = compose(view, movie, quality)

    def update(index: int) -> list:
        for v in views:
            v.update(index)
        return []

    codec = CODECS["mp4"]
    writer = animation.FFMpegWriter(fps=quality.fps, codec=codec[1], extra_args=codec[2:])
    animation.FuncAnimation(fig, update, frames=movie.timeline.n_frames, blit=False).save(
        str(target), writer=writer, dpi=fig.dpi)


def _drawn_frames(movie, view: str, quality) -> list[np.ndarray]:
    """Every frame of the view, drawn by optanim and held in memory (for the encoder-only figures)."""
    from .stage.animator import Animator
    from .stage.layout import compose

    animator = Animator(*compose(view, movie, quality))
    return [frame.copy() for frame in animator.frames(range(movie.timeline.n_frames))]


def encode_only(frames: Sequence[np.ndarray], quality, target: Path) -> None:
    from .output.ffmpeg import FFmpegPipe

    height, width = frames[0].shape[:2]
    with FFmpegPipe(target, width, height, quality.fps, "mp4") as pipe:
        for frame in frames:
            pipe.write(frame)


def bench_video(plan: Plan, repeat: int, view: str, number: int, target_ratio: float,
                with_encoder: bool, quality_key: str = "m", seconds: float | None = None) -> list[Row]:
    from .render import render_view

    movie, quality = _movie(plan, seconds or plan.video_seconds, quality_key)
    n = movie.timeline.n_frames
    what = f"{number} {view} video {n} frames {quality.width}x{quality.height}"
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        ours = median_time(lambda: render_view(movie, view, quality, ["mp4"], folder), repeat)
        theirs = median_time(lambda: funcanimation_save(movie, view, quality, folder / "by-hand.mp4"), repeat)
        rows = [Row(f"{what} vs FuncAnimation", f"{n / ours:.0f} frames/s", f"{n / theirs:.0f} frames/s",
                    f"{theirs / ours:.2f}x", f">= {target_ratio:g}x", _verdict(theirs / ours >= target_ratio))]
        if with_encoder:
            frames = _drawn_frames(movie, view, quality)
            alone = median_time(lambda: encode_only(frames, quality, folder / "encoder.mp4"), repeat)
            del frames
            rows.append(Row(f"{what} vs encoder alone", f"{n / ours:.0f} frames/s", f"{n / alone:.0f} frames/s",
                            f"{ours / alone:.2f}x time", "<= 1.5x time", _verdict(ours / alone <= 1.5)))
    return rows


# -- 5. GIF ---------------------------------------------------------------------------------------

def pillow_gif(frames: Sequence[np.ndarray], fps: float, target: Path) -> None:
    """imageio's Pillow writer, as a user would call it."""
    import imageio.v3 as iio

    iio.imwrite(target, np.stack([f[..., :3] for f in frames]), plugin="pillow", extension=".gif",
                duration=1000 / fps, loop=0)


def bench_gif(plan: Plan, repeat: int) -> Row:
    from .render import render_view

    movie, quality = _movie(plan, plan.gif_seconds, "l")
    n = movie.timeline.n_frames
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        ours = median_time(lambda: render_view(movie, "contour", quality, ["gif"], folder), repeat)
        # The same frames, drawn the same way; then the Pillow writer instead of ffmpeg's palette.
        theirs = median_time(lambda: pillow_gif(_drawn_frames(movie, "contour", quality), quality.fps,
                                                folder / "pillow.gif"), repeat)
        our_size = (folder / "contour.gif").stat().st_size
        their_size = (folder / "pillow.gif").stat().st_size
    speed, size = theirs / ours, their_size / our_size
    return Row(f"5 GIF contour {n} frames {quality.width}x{quality.height} vs imageio Pillow",
               f"{ours:.2f} s, {our_size / 1e6:.2f} MB", f"{theirs:.2f} s, {their_size / 1e6:.2f} MB",
               f"{speed:.1f}x faster, {size:.1f}x smaller", ">= 5x, >= 5x", _verdict(speed >= 5 and size >= 5))


# -- 6, 7. whole processes ------------------------------------------------------------------------

def bench_job(plan: Plan) -> Row:
    scenes = [str(SCENES / f"exp{k}.py") for k in plan.job_scenes]
    with tempfile.TemporaryDirectory() as out:
        command = [sys.executable, "-m", "optanim", *scenes, *plan.job_args, "--out", out, "--quiet"]
        cold, cold_rss = run_measured(command)
        warm, warm_rss = run_measured(command)
    which = ",".join(str(k) for k in plan.job_scenes)
    return Row(f"6 whole job exp{which} {' '.join(plan.job_args)}, warm cache vs cold",
               f"warm {warm:.0f} s, {warm_rss:.0f} MB peak", f"cold {cold:.0f} s, {cold_rss:.0f} MB peak",
               f"{cold / warm:.2f}x", "(report)", "-")


def bench_memory(plan: Plan) -> Row:
    short, long = plan.memory_seconds
    with tempfile.TemporaryDirectory() as out:
        base = [sys.executable, "-m", "optanim", str(SCENES / "exp5.py"), "--out", out, "--quiet"]
        run_measured([*base, "--record-only"])   # both renders then load the same cached recording
        render = [*base, "--views", "contour", f"-q{plan.memory_quality}", "--duration"]
        _, small = run_measured([*render, f"{short:g}"])
        _, large = run_measured([*render, f"{long:g}"])
    from .spec.quality import QUALITIES

    height = QUALITIES[plan.memory_quality].height
    return Row(f"7 peak RSS contour {long:g} s vs {short:g} s at {height}p", f"{large:.0f} MB", f"{small:.0f} MB",
               f"{large / small:.2f}x", "<= 1.2x", _verdict(large / small <= 1.2))


# -- the table ------------------------------------------------------------------------------------

def rows(plan: Plan, repeat: int) -> list[Row]:
    return [bench_recording(plan, repeat), *bench_landscape(plan, repeat),
            *bench_video(plan, repeat, "contour", 3, 10.0, with_encoder=True), bench_camera(plan),
            *bench_video(plan, repeat, "surface", 4, 1.6, with_encoder=False),
            # 1080p60 for 2 s: the same 120-odd frames a 1080p surface render draws per 2 s of video.
            *bench_video(plan, repeat, "surface", 4, 1.6, with_encoder=False, quality_key="h",
                         seconds=min(plan.video_seconds, 2.0)),
            bench_gif(plan, repeat), bench_job(plan), bench_memory(plan), *bench_fields(plan, repeat),
            bench_batch(plan, repeat), *bench_networks(plan is QUICK, repeat)]


def bench_camera(plan: Plan) -> Row:
    from .bench_camera import camera_frames

    # at least 2 s: the camera needs a second before it moves
    return camera_frames(SCENES / "exp5.py", "l" if plan is QUICK else "m", max(plan.video_seconds, 2.0))


def bench_batch(plan: Plan, repeat: int) -> Row:
    from .bench_batch import bench_batch_landscapes

    return bench_batch_landscapes(SCENES / "exp1.py", plan.batch_quality, repeat, plan.batch_epochs)


def bench_networks(quick: bool, repeat: int) -> list[Row]:
    from .bench_network import bench_networks as network_rows

    return network_rows(quick, repeat)


def bench_fields(plan: Plan, repeat: int) -> list[Row]:
    from .bench_field import bench_field_drawing, bench_field_memory

    recording, scene, field = bench_field_recording(plan, repeat)
    return [recording, bench_field_drawing(scene, field, repeat),
            bench_field_memory(SCENES / "exp5.py", plan.field_starts, plan.field_epochs[1], plan.field_quality,
                               plan.video_seconds)]


def table(rows: Sequence[Row]) -> str:
    header = Row("row", "optanim", "baseline", "ratio", "target", "met")
    cells = [[getattr(r, f) for f in ("name", "optanim", "baseline", "ratio", "target", "met")]
             for r in (header, *rows)]
    widths = [max(len(line[i]) for line in cells) for i in range(len(cells[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(line, widths)).rstrip() for line in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m optanim.bench", description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="a short smoke run: every row, tiny sizes")
    p.add_argument("--repeat", type=int, default=3, help="runs per figure, the median reported (default 3); "
                                                         "rows 6 and 7 (minutes each) run once")
    args = p.parse_args(argv)
    import matplotlib

    matplotlib.use("Agg")
    plan = QUICK if args.quick else FULL
    print(table(rows(plan, max(1, args.repeat))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
