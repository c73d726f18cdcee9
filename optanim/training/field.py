"""Many starts at once: every optimizer runs every start of the scene, on the same mini-batches.

Each run is one real torch.optim optimizer whose parameter is an (N, 2) tensor, one row per start.
The optimizers allowed here (ELEMENTWISE) update each element on its own, so that is N independent
runs at the cost of one; one broadcast forward and one backward serve every start of every run.
"""

from __future__ import annotations

import warnings
from typing import Sequence

import numpy as np
import torch

from ..data.field import Field, kept_steps
from ..data.landscape import landscape
from ..draw.storyboard import clock
from ..errors import OptanimError
from ..progress import Progress
from ..spec.quality import DEFAULT_QUALITY, QUALITIES
from ..spec.loss import function_of
from ..spec.problems import problem_of
from ..spec.scene import Scene
from ..spec.starts import grid_shape, start_points
from .device import resolve_device
from ..spec.optimizers import label
from .elementwise import starts_stepper, check_elementwise
from .preflight import preflight
from .recorder import record
from .schedule import Schedule


def record_field(scene: Scene, steps: Sequence[int] | None = None, progress: Progress | None = None) -> Field:
    """Run every start of `scene.starts` with every optimizer; keep the positions at `steps` only
    (default: the steps the scene's videos show at the default quality, and the last step).
    `progress(epochs, total, description)` wraps the epochs (the command line passes a tqdm bar).

    Start i of the field is what record(replace(scene, starts=None, init=starts[i])) records at
    those steps (tests/test_field.py says how close). A start that goes NaN/inf or leaves the window
    is frozen at its last good position; an init outside the window is judged on NaN/inf alone, as
    the single recorder judges it."""
    if scene.starts is None:
        raise OptanimError("starts: this scene has none; give starts=(na, nb), N or a list of (a, b) pairs")
    preflight(scene)
    device = resolve_device(scene.device)
    problem = problem_of(scene)
    on_device = problem.to(device)
    for run in scene.runs:
        if run.cls is not None:   # a class of one's own: does it treat each row alone? Run it and see.
            check_elementwise(scene, run, problem)
    n_steps = problem.epochs * problem.steps_per_epoch
    if steps is None:   # the video's clock is paced by how far the single runs move: it needs them
        steps = clock(scene, record(scene), landscape(scene), QUALITIES[DEFAULT_QUALITY].fps).steps
    keep = kept_steps(np.asarray(steps), n_steps)
    (a_range, b_range) = scene.window
    starts = start_points(scene.starts, a_range, b_range, scene.seed)
    runs, n = scene.runs, len(starts)
    params = [torch.tensor(starts, device=device, requires_grad=True) for _ in runs]
    steppers = [starts_stepper(scene, run, param) for run, param in zip(runs, params)]
    schedules = [Schedule.of(scene, stepper.optimizer) for stepper in steppers]
    if any(schedule.on_metric for schedule in schedules):
        raise OptanimError("scheduler: one that steps on the loss (ReduceLROnPlateau) would judge all the starts "
                           "of an optimizer by one number, so they would not run independently; not with starts")
    guard = _Guard(scene, torch.cat([param.detach() for param in params]))
    kept = torch.empty((len(keep), len(runs) * n, 2), device=device)
    row_of = {int(step): k for k, step in enumerate(keep)}

    with warnings.catch_warnings():
        # The notebook steps its scheduler before the optimizer on purpose; don't warn about it.
        warnings.filterwarnings("ignore", message=r"Detected call of `lr_scheduler\.step\(\)`")
        step = 0
        epochs = range(problem.epochs)
        for epoch in (epochs if progress is None else progress(epochs, problem.epochs, "starts")):
            for schedule in schedules:
                schedule.start_epoch()
            for step_loss in on_device.epoch_steps(epoch):
                for param in params:  # what optimizer.zero_grad() does, without its overhead
                    param.grad = None
                ab = torch.cat(params)
                losses = step_loss(ab)
                guard.check(step, ab.detach(), losses.detach())
                if step in row_of:
                    kept[row_of[step]] = guard.good
                # Each row's loss reaches only its own start's parameters, with gradient exactly 1.
                losses.sum().backward()
                for stepper in steppers:
                    stepper.step(step_loss, step)
                guard.freeze(params)
                for schedule in schedules:
                    schedule.end_step(None)
                step += 1
            for schedule in schedules:
                schedule.end_epoch(None)

    full = on_device.full_loss(kept[..., 0].reshape(-1), kept[..., 1].reshape(-1)).reshape(len(keep), -1)
    kept, full = kept.cpu().numpy(), full.cpu().numpy()
    diverged_at = guard.diverged_at.cpu().numpy()
    parts = {run.key: slice(i * n, (i + 1) * n) for i, run in enumerate(runs)}
    return Field(starts=starts, steps=keep,
                 a={key: kept[:, part, 0].copy() for key, part in parts.items()},
                 b={key: kept[:, part, 1].copy() for key, part in parts.items()},
                 full_loss={key: full[:, part].copy() for key, part in parts.items()},
                 diverged_at={key: diverged_at[part].copy() for key, part in parts.items()},
                 labels={run.key: label(run) for run in runs}, optimizers={run.key: run.optimizer for run in runs},
                 minima=problem.minima, answers=_answers(scene, problem.minima), a_range=a_range, b_range=b_range,
                 n_steps=n_steps, steps_per_epoch=problem.steps_per_epoch, grid=grid_shape(scene.starts))


def _answers(scene: Scene, minima: tuple[tuple[float, float], ...]) -> int:
    """How many of the problem's minima (global ones first) are global: a test function's catalogue
    says; the true parameters of a data scene are its one answer."""
    known = function_of(scene.loss) if scene.loss is not None else None
    return sum(m.is_global for m in known.minima) if known is not None else len(minima)


class _Guard:
    """Each start's divergence: the first step whose (a, b) or loss is NaN/inf, or (for a start inside
    the window) whose (a, b) lies outside it; and its last good position, where it then stays.

    All on the device, with no per-step sync: the masks are tensors, never read back in the loop."""

    def __init__(self, scene: Scene, start: torch.Tensor) -> None:
        (a_low, a_high), (b_low, b_high) = scene.window
        lo = torch.tensor([a_low, b_low], device=start.device)
        hi = torch.tensor([a_high, b_high], device=start.device)
        self.lo, self.hi = lo, hi
        self.inside = ((start >= lo) & (start <= hi)).all(dim=1)
        self.good = start.clone()
        self.diverged_at = torch.full((len(start),), -1, dtype=torch.long, device=start.device)
        self.alive = torch.ones(len(start), dtype=torch.bool, device=start.device)

    def check(self, step: int, ab: torch.Tensor, losses: torch.Tensor) -> None:
        """Judge the positions before `step` and the losses there; the good ones become the last good."""
        finite = torch.isfinite(ab).all(dim=1) & torch.isfinite(losses)
        within = ((ab >= self.lo) & (ab <= self.hi)).all(dim=1)
        bad = self.alive & ~(finite & (within | ~self.inside))
        self.diverged_at.masked_fill_(bad, step)
        self.alive &= ~bad
        self.good = torch.where(self.alive[:, None], ab, self.good)

    def freeze(self, params: Sequence[torch.Tensor]) -> None:
        """Put diverged starts back at their last good position: the others never see them (each row
        is its own run), and they stay finite, so no NaN or overflow slows the arithmetic."""
        n = len(params[0])
        with torch.no_grad():
            for i, param in enumerate(params):
                rows = slice(i * n, (i + 1) * n)
                param.copy_(torch.where(self.alive[rows, None], param, self.good[rows]))
