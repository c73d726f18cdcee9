"""The test-function catalogue: minima against the formulas, windows, rendering, and contour levels."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from optanim.errors import OptanimError
from optanim.spec.functions import FUNCTIONS, LossFunction, contour_levels, loss_function

ALL = list(FUNCTIONS.values())
BOUNDED = [f for f in ALL if f.bounded_below]
MINIMA = [pytest.param(f, m, id=f"{f.name}@({m.a:.3g},{m.b:.3g})") for f in ALL for m in f.minima]


def grid(f: LossFunction, n: int = 201, dtype: torch.dtype = torch.float64, zoom: float = 1.0):
    """The loss on an n × n grid over the function's window (scaled by zoom about its centre)."""
    def axis(lo: float, hi: float) -> np.ndarray:
        mid, half = (lo + hi) / 2, (hi - lo) / 2 * zoom
        return np.linspace(mid - half, mid + half, n)
    a, b = np.meshgrid(axis(*f.a_range), axis(*f.b_range))
    with torch.no_grad():
        loss = f.fn(torch.tensor(a, dtype=dtype), torch.tensor(b, dtype=dtype)).numpy()
    return a, b, loss


def value_and_grad(f: LossFunction, a: float, b: float, dtype: torch.dtype) -> tuple[float, np.ndarray]:
    point = torch.tensor([a, b], dtype=dtype, requires_grad=True)
    value = f.fn(point[0], point[1])
    (grad,) = torch.autograd.grad(value, point)
    return value.item(), grad.numpy()


@pytest.mark.parametrize("f, m", MINIMA)
def test_each_minimum_is_a_minimum_of_the_formula(f, m):
    value, grad = value_and_grad(f, m.a, m.b, torch.float64)
    assert value == pytest.approx(m.value, abs=1e-9, rel=1e-9)
    assert np.abs(grad).max() < 1e-6
    # A minimum, not a saddle or a maximum: higher all round a small circle (Ackley's is a cone's tip).
    angle = torch.linspace(0, 2 * np.pi, 33, dtype=torch.float64)[:-1]
    radius = 1e-3 * np.ptp(f.a_range)
    ring = f.fn(m.a + radius * torch.cos(angle), m.b + radius * torch.sin(angle))
    assert (ring > m.value).all()


@pytest.mark.parametrize("f, m", MINIMA)
def test_minima_hold_in_float32(f, m):
    value, grad = value_and_grad(f, m.a, m.b, torch.float32)
    assert value == pytest.approx(m.value, abs=1e-4, rel=1e-5)
    assert np.isfinite(grad).all() and np.abs(grad).max() < 1e-2


@pytest.mark.parametrize("f", ALL, ids=lambda f: f.name)
def test_minima_lie_in_the_window_and_globals_are_lowest(f):
    for m in f.minima:
        assert f.a_range[0] < m.a < f.a_range[1] and f.b_range[0] < m.b < f.b_range[1]
    if f.bounded_below:
        lowest = min(m.value for m in f.minima)
        assert {m.is_global for m in f.minima if m.value == lowest} == {True}
        assert all(m.value == lowest for m in f.minima if m.is_global)
    else:
        assert f.minima == ()


@pytest.mark.parametrize("f", BOUNDED, ids=lambda f: f.name)
def test_nothing_in_the_window_lies_below_the_global_minimum(f):
    best = min(m.value for m in f.minima)
    _, _, loss = grid(f, n=401)
    assert loss.min() >= best - 1e-9 * max(1.0, abs(best))


@pytest.mark.parametrize("f", [f for f in ALL if not f.bounded_below], ids=lambda f: f.name)
def test_unbounded_functions_keep_falling_beyond_the_window(f):
    assert grid(f, zoom=10)[2].min() < 10 * grid(f)[2].min() < 0


@pytest.mark.parametrize("f", ALL, ids=lambda f: f.name)
def test_fn_broadcasts_and_differentiates(f):
    a = torch.linspace(*f.a_range, 3).reshape(3, 1).requires_grad_()
    b = torch.linspace(*f.b_range, 4).reshape(1, 4).requires_grad_()
    loss = f.fn(a, b)
    assert loss.shape == (3, 4) and loss.dtype == torch.float32
    loss.sum().backward()
    assert a.grad.shape == (3, 1) and torch.isfinite(a.grad).all() and torch.isfinite(b.grad).all()
    assert torch.allclose(loss[2, 1], f.fn(a[2, 0], b[0, 1]))


@pytest.mark.parametrize("f", ALL, ids=lambda f: f.name)
def test_formula_renders_with_mathtext(f):
    fig = Figure()
    FigureCanvasAgg(fig)
    fig.text(0.01, 0.5, f.formula)
    fig.canvas.draw()    # mathtext parses only when drawn; a bad formula raises here
    assert f.formula.startswith("$") and f.formula.endswith("$")
    assert f.level_scale in ("log", "linear") and f.lesson and f.title


def test_catalogue_keys_and_lookup():
    assert all(key == f.name for key, f in FUNCTIONS.items())
    assert {"rosenbrock", "beale", "himmelblau", "booth", "camel", "rastrigin", "ackley",
            "styblinski-tang", "saddle", "monkey-saddle"} <= set(FUNCTIONS)
    assert loss_function("rosenbrock") is FUNCTIONS["rosenbrock"]
    assert loss_function("six-hump-camel") is FUNCTIONS["camel"]


def test_unknown_function_names_the_closest():
    with pytest.raises(OptanimError, match="did you mean 'rosenbrock'") as info:
        loss_function("rosenbrok")
    assert str(info.value).startswith("loss: ") and "himmelblau" in str(info.value)
    with pytest.raises(OptanimError, match="allowed: "):
        loss_function("zzz")


@pytest.mark.parametrize("f", ALL, ids=lambda f: f.name)
def test_levels_on_real_grids(f):
    a, b, loss = grid(f, dtype=torch.float32)
    levels = np.array(contour_levels(loss, f.level_scale))
    assert len(levels) == 14 and np.isfinite(levels).all() and (np.diff(levels) > 0).all()
    # A ring round the floor: the lowest level is above the minimum and below some point near it;
    # log levels ring it tightly, even linear steps within a tenth of the window.
    reach = {"log": 0.02, "linear": 0.1}[f.level_scale]
    for m in (m for m in f.minima if m.is_global):
        near = (np.abs(a - m.a) <= reach * np.ptp(f.a_range)) & (np.abs(b - m.b) <= reach * np.ptp(f.b_range))
        assert m.value < levels[0] < loss[near].max()


def test_log_levels_are_geometric_above_the_minimum():
    loss = grid(FUNCTIONS["rosenbrock"])[2]
    heights = np.array(contour_levels(loss, "log", count=10)) - loss.min()
    ratios = heights[1:] / heights[:-1]
    assert ratios.min() > 1.5 and ratios.max() < 1.1 * ratios.min()


def test_linear_levels_are_even_and_ignore_a_cliff():
    loss = np.linspace(0.0, 1.0, 10_000)
    loss[0], loss[-1] = -1e9, 1e9    # an unbounded landscape's far corners
    levels = np.array(contour_levels(loss, "linear", count=8))
    assert -1 < levels[0] and levels[-1] < 2
    steps = np.diff(levels)
    assert steps.max() < 1.1 * steps.min()


@pytest.mark.parametrize("scale", ["log", "linear"])
@pytest.mark.parametrize("loss", [np.full((5, 5), 3.0), np.full((5, 5), -2e6), np.full((4, 4), np.nan),
                                  np.array([[np.inf, 7.0], [np.nan, -np.inf]]), np.zeros((0, 3))])
def test_levels_for_degenerate_grids(loss, scale):
    levels = contour_levels(loss, scale)
    assert len(levels) >= 2 and np.isfinite(levels).all() and (np.diff(levels) > 0).all()
    finite = loss[np.isfinite(loss)]
    if finite.size:    # a flat grid sits between its two levels, so it shows as one band
        assert levels[0] < finite.min() <= finite.max() < levels[-1]


@settings(max_examples=200, deadline=None)
@given(arrays(np.float64, st.integers(1, 60), elements=st.floats(allow_nan=True, allow_infinity=True, width=32)),
       st.sampled_from(["log", "linear"]), st.integers(2, 20))
def test_levels_are_always_finite_and_increasing(loss, scale, count):
    levels = contour_levels(loss, scale, count)
    assert len(levels) >= 2 and np.isfinite(levels).all() and (np.diff(levels) > 0).all()


def test_unknown_scale_is_a_user_error():
    with pytest.raises(OptanimError, match="allowed: log, linear"):
        contour_levels(np.zeros((3, 3)), "sqrt")
