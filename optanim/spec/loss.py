"""A scene's `loss` field: a built-in test function's name, or the user's own loss(a, b) of tensors.

What the scene needs of it before any training: checks, the window it shows by default, and its
formula for the subtitle. The problem that trains on it is spec/analytic.py.
"""

from __future__ import annotations

import ast
import inspect
import math
import re
import textwrap
from typing import Any, Callable

import torch

from ..errors import OptanimError
from .functions import LossFunction, loss_function

LossFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]

#: A scene with loss= and no steps= runs this many steps.
DEFAULT_STEPS = 500
#: A user's function has no usual window: one this wide about the origin, widened to hold the start.
OWN_HALF_WIDTH = 3.0


def function_of(loss: str | LossFn) -> LossFunction | None:
    """The catalogue's entry for a built-in's name; None for the user's own callable."""
    return loss_function(loss) if isinstance(loss, str) else None


def default_window(loss: str | LossFn, init: tuple[float, float]) -> tuple[tuple[float, float], tuple[float, float]]:
    """The (a_range, b_range) a scene with this loss shows when it sets none: a built-in's usual window;
    for the user's own function, a square about the origin wide enough to show the start."""
    known = function_of(loss)
    if known is not None:
        return known.a_range, known.b_range
    half = max(OWN_HALF_WIDTH, math.ceil(1.5 * max(abs(float(v)) for v in init)))
    return (-half, half), (-half, half)


def formula_of(loss: str | LossFn) -> str:
    """What the loss computes, for a subtitle: a built-in's mathtext formula; for the user's own function
    the expression its source returns ("loss(a, b) = a ** 2 - b ** 2"), or its name where there is none."""
    known = function_of(loss)
    if known is not None:
        return known.formula
    name = getattr(loss, "__name__", "loss")
    name = "loss" if name == "<lambda>" else name
    expression = _expression(loss)
    text = f"{name}(a, b) = {expression}" if expression else f"{name}(a, b)"
    return text.replace("$", r"\$")    # a literal dollar must not open mathtext


def _expression(fn: LossFn) -> str | None:
    """The one expression a lambda or a one-line def computes, as Python writes it; None if not to be had."""
    try:
        source = textwrap.dedent("".join(inspect.getsourcelines(fn)[0]))
    except (OSError, TypeError):
        return None
    if getattr(fn, "__name__", "") != "<lambda>":
        try:
            node = ast.parse(source).body[0]
        except (SyntaxError, IndexError):
            return None
        body = getattr(node, "body", [])
        return ast.unparse(body[0].value) if len(body) == 1 and isinstance(body[0], ast.Return) else None
    # The source lines hold the lambda among other code: the longest text from "lambda" that parses as one.
    for start in (match.start() for match in re.finditer(r"\blambda\b", source)):
        for end in range(len(source), start, -1):
            try:
                node = ast.parse(source[start:end].strip(), mode="eval").body
            except SyntaxError:
                continue
            if isinstance(node, ast.Lambda) and len(node.args.args) == 2:
                return ast.unparse(node.body)
    return None


def check_loss(loss: Any, init: tuple[float, float]) -> None:
    """A built-in's name, or a callable loss(a, b) of tensors that works element by element and has a gradient."""
    if isinstance(loss, str):
        loss_function(loss)
        return
    if not callable(loss):
        raise OptanimError(f"loss: must be a built-in function's name or a function loss(a, b) of torch tensors, "
                           f"got {type(loss).__name__}")
    a = torch.tensor([float(init[0]), 0.5, -1.25], requires_grad=True)
    b = torch.tensor([float(init[1]), -0.75, 1.5], requires_grad=True)
    try:
        out = loss(a, b)
    except Exception as error:  # the user's function: any error is theirs to fix
        raise OptanimError(f"loss: loss(a, b) raised {type(error).__name__}: {error}; it must take torch "
                           "tensors and work element by element") from None
    if not isinstance(out, torch.Tensor) or tuple(out.shape) != (3,) or not out.is_floating_point():
        got = f"shape {tuple(out.shape)}" if isinstance(out, torch.Tensor) else type(out).__name__
        raise OptanimError(f"loss: loss(a, b) must return a float tensor shaped like a and b "
                           f"(3 values for a, b of 3), got {got}")
    if not out.requires_grad:
        raise OptanimError("loss: loss(a, b) has no gradient; compute it with torch operations on a and b")
