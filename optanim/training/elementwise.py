"""Does an optimizer class of one's own treat each element alone? Run it and see.

Many starts share one optimizer whose parameter holds every start as a row (training/field.py): that
is N independent runs only where the update of each element depends on that element alone. A
built-in is known to (spec/optimizers.py: ELEMENTWISE); a class of one's own is run here from a few
rows at once and from each row alone, over the scene's first steps, and must agree.
"""

from __future__ import annotations

import numpy as np
import torch

from ..errors import OptanimError
from ..spec.problems import Problem
from ..spec.runs import Run
from ..spec.scene import Scene
from .optimizers import make_optimizer
from .stepping import Stepper

#: Where the probe rows start, as fractions of the window: spread out, so their gradients differ in size.
PROBE_POINTS = ((0.2, 0.7), (0.5, 0.3), (0.8, 0.9), (0.35, 0.55))
PROBE_STEPS = 5
#: Agreement asked for: a vectorised kernel may round an element apart from the scalar one; a
#: norm or a mean over the tensor moves every row by far more.
RTOL, ATOL = 1e-5, 1e-7


def starts_stepper(scene: Scene, run: Run, param: torch.Tensor) -> Stepper:
    """The run's optimizer on a parameter of many rows, refused where it cannot treat them alone."""
    optimizer = make_optimizer(run, [param], lr=scene.lr, weight_decay=scene.weight_decay, momentum=scene.momentum)
    stepper = Stepper(run.key, optimizer, param)
    if stepper.closure:
        raise OptanimError(f"optimizers: {run.key}: its step() needs a closure, which would evaluate every start "
                           "at once; not with starts")
    if stepper.modes:
        raise OptanimError(f"optimizers: {run.key}: it keeps eval-mode weights of its own (train()/eval()); "
                           "with starts, give optimizers without them")
    return stepper


def check_elementwise(scene: Scene, run: Run, problem: Problem) -> None:
    """Raise OptanimError naming the run where its rows run together differ from the rows run alone."""
    (a0, a1), (b0, b1) = scene.window
    rows = torch.tensor([[a0 + fa * (a1 - a0), b0 + fb * (b1 - b0)] for fa, fb in PROBE_POINTS])
    together = rows.clone().requires_grad_(True)
    alone = [row[None].clone().requires_grad_(True) for row in rows]
    steppers = [starts_stepper(scene, run, param) for param in (together, *alone)]
    losses = [loss for epoch in range(problem.epochs) for loss in problem.epoch_steps(epoch)][:PROBE_STEPS]
    for step, step_loss in enumerate(losses):
        for stepper in steppers:
            stepper.param.grad = None
            step_loss(stepper.param).sum().backward()
            stepper.step(step_loss, step)
        ran = together.detach().numpy()
        each = torch.cat([param.detach() for param in alone]).numpy()
        if not np.allclose(ran, each, rtol=RTOL, atol=ATOL, equal_nan=True):
            worst = float(np.nanmax(np.abs(ran - each)))
            raise OptanimError(
                f"optimizers: {run.key}: {run.cls.__name__ if run.cls else run.optimizer} does not update each "
                f"element alone (from {len(rows)} starts at once, they move {worst:.2g} away from the same starts "
                f"run one by one after {step + 1} steps), so starts would not run independently; "
                f"drop starts or this run")
