"""One run's optimizer.step(), whatever the optimizer asks of it.

- A step() that needs a closure (L-BFGS, and any class whose step takes a required `closure`) gets
  one: it evaluates the step's loss (the function, or the current mini-batch) and its gradient where
  the optimizer asks, as often as it asks; each step's count of evaluations is kept.
- An optimizer with train() and eval() (schedule-free ones) is stepped in train mode; the weights to
  show are its eval-mode ones, read without disturbing the training weights.
- A step() that raises is one line naming the run and the step.
"""

from __future__ import annotations

import inspect
from typing import Callable

import torch

from ..errors import OptanimError

StepLoss = Callable[[torch.Tensor], torch.Tensor]


def needs_closure(optimizer: torch.optim.Optimizer) -> bool:
    """Whether step() cannot go without a closure (torch's own optimizers all take an optional one)."""
    try:
        closure = inspect.signature(optimizer.step).parameters.get("closure")
    except (TypeError, ValueError):
        return False
    return closure is not None and closure.default is inspect.Parameter.empty


def has_modes(optimizer: torch.optim.Optimizer) -> bool:
    """Whether the optimizer keeps train and eval weights of its own (schedule-free optimizers do)."""
    return callable(getattr(optimizer, "train", None)) and callable(getattr(optimizer, "eval", None))


class Stepper:
    """How one run steps. `param` is the run's one parameter tensor; step_loss maps rows (R, 2) to
    each row's loss (R,), as the problem's steps do."""

    def __init__(self, key: str, optimizer: torch.optim.Optimizer, param: torch.Tensor) -> None:
        self.key, self.optimizer, self.param = key, optimizer, param
        self.closure = needs_closure(optimizer)
        self.modes = has_modes(optimizer)
        self.evaluations: list[int] = []   # per step, where a closure is used
        if self.modes:
            self._call(optimizer.train, "train()")

    def step(self, step_loss: StepLoss, step: int) -> None:
        """One optimizer step; the gradient of a run without a closure is already in param.grad."""
        if not self.closure:
            return self._call(self.optimizer.step, "step()", step)
        count = 0
        rows = self.param.reshape(1, -1) if self.param.dim() == 1 else self.param

        def closure() -> torch.Tensor:
            nonlocal count
            count += 1
            with torch.enable_grad():   # an optimizer's step() runs under no_grad: the closure needs it
                self.param.grad = None
                loss = step_loss(rows).sum()
                loss.backward()
            return loss

        self._call(lambda: self.optimizer.step(closure), "step()", step)
        self.evaluations.append(count)

    def shown(self) -> torch.Tensor:
        """The weights to show (a copy): the eval-mode ones of an optimizer with modes, else the parameter.

        eval() and train() are not exact inverses in floating point, so the training weights and the
        groups' settings are put back as they were rather than by train()."""
        if not self.modes:
            return self.param.detach().clone()
        saved = self.param.detach().clone()
        groups = [{k: v for k, v in group.items() if k != "params"} for group in self.optimizer.param_groups]
        self._call(self.optimizer.eval, "eval()")
        shown = self.param.detach().clone()
        with torch.no_grad():
            self.param.copy_(saved)
        for group, settings in zip(self.optimizer.param_groups, groups):
            group.update(settings)
        return shown

    def _call(self, action: Callable[[], object], what: str, step: int | None = None) -> None:
        try:
            action()
        except OptanimError:
            raise
        except Exception as error:   # the optimizer's own failure (a class of one's own, most often)
            at = "" if step is None else f" at step {step}"
            raise OptanimError(f"optimizers: {self.key}: {what} raised {type(error).__name__}: {error}{at}") from None
