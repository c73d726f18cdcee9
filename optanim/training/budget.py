"""A guard on absurd scenes: the work a scene asks for, estimated before any of it is done.

Rough costs on the reference machine (2 shared x86 cores, no GPU; the benchmark's rows): a recorded
step costs a fixed overhead plus a share per run and per row-sample of its broadcast forward; a
closure's evaluation a step of its own; a drawn frame so much per pixel of each view. An estimate
past ~15 minutes, or past the machine's memory, is refused in one line naming the field that makes
it so; `force` goes on regardless.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from ..errors import OptanimError
from ..spec.scene import Scene
from ..spec.starts import start_count

STEP_S = 30e-6            # the loop's own overhead per step
RUN_STEP_S = 12e-6        # per run and step: its optimizer.step(), the bookkeeping
ROW_SAMPLE_S = 3e-9       # per start × mini-batch sample of a broadcast forward and backward
EVALUATION_S = 80e-6      # per evaluation of a closure (one run's forward and backward)
PIXEL_S = 15e-9           # per pixel of each view's frame, drawn and encoded
STEP_BYTES = 200          # recorded per step and run: positions, losses, gradient, state, copies
KEPT_BYTES = 16           # kept per start, frame and run of a many-start field
LIMIT_S = 15 * 60


@dataclass(frozen=True)
class Estimate:
    seconds: float
    bytes: int
    field: str       # the scene field that makes it large
    what: str        # the work, in words: "1,000,000,000 steps × 6 runs"


def machine_bytes() -> int:
    """The machine's memory (0 where the system does not say)."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return 0


def recording_estimate(scene: Scene, frames: int = 0) -> Estimate:
    """The time and memory recording the scene takes: steps × runs × starts (× a closure's evaluations)."""
    steps, runs = scene.n_epochs * scene.steps_per_epoch, len(scene.runs)
    starts = start_count(scene.starts) if scene.starts is not None else 1
    batch = scene.batch_size if scene.has_data else 1
    evaluations = sum(int(run.kwargs.get("max_iter", 20)) * 1.25 for run in scene.runs if run.optimizer == "lbfgs")
    seconds = steps * (STEP_S + runs * (RUN_STEP_S + starts * batch * ROW_SAMPLE_S) + evaluations * EVALUATION_S)
    memory = steps * runs * STEP_BYTES + runs * starts * max(frames, 1) * KEPT_BYTES
    field = "starts" if starts * batch * ROW_SAMPLE_S > RUN_STEP_S else ("epochs" if scene.has_data else "steps")
    what = f"{steps:,} steps × {runs} run{'s' * (runs != 1)}" + (f" × {starts:,} starts" if starts > 1 else "")
    return Estimate(seconds, int(memory), field, what)


def rendering_estimate(scene: Scene, fps: int, pixels: int, views: int) -> Estimate:
    """The time drawing and encoding the scene's videos takes: frames × size × views."""
    frames = int((scene.duration + scene.hold) * fps)
    field = "hold" if scene.hold > scene.duration else "duration"
    return Estimate(frames * pixels * views * PIXEL_S, 0, field,
                    f"{frames:,} frames × {pixels / 1e6:.1f} MP × {views} view{'s' * (views != 1)}")


def check_budget(estimate: Estimate, doing: str) -> None:
    """Raise OptanimError where the estimate is past the time limit or the machine's memory."""
    memory = machine_bytes()
    too_big = bool(memory) and estimate.bytes > memory
    if not too_big and estimate.seconds <= LIMIT_S:
        return
    needs = f"about {duration(estimate.seconds)}" + (f" and {estimate.bytes / 1e9:,.0f} GB of memory" if too_big else "")
    limits = f"this machine's {memory / 1e9:.0f} GB" if too_big else f"{LIMIT_S // 60} minutes"
    raise OptanimError(f"{estimate.field}: {doing} this scene would take {needs} on this machine ({estimate.what}), "
                       f"more than {limits}; lower {estimate.field}, or force it (--force, force=True)")


def duration(seconds: float) -> str:
    """A long time in the unit a person reads it in: 20 minutes, 3.5 hours, 41 years."""
    for unit, size in (("years", 365.25 * 86400), ("days", 86400), ("hours", 3600), ("minutes", 60)):
        if seconds >= size:
            return f"{seconds / size:,.3g} {unit}"
    return f"{seconds:.0f} seconds"
