"""Classic two-parameter optimizer test functions, and contour levels that suit their landscapes.

Pure: each function is a torch expression in the parameters a and b, so real torch.optim runs can
descend it; nothing here draws. Minima come from the literature, refined by Newton's method in float64.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor

from ..errors import OptanimError

SCALES = ("log", "linear")


@dataclass(frozen=True)
class Minimum:
    """A known local or global minimum of a test function."""

    a: float
    b: float
    value: float
    is_global: bool


@dataclass(frozen=True)
class LossFunction:
    """One test function with its plotting window, its minima and what it teaches."""

    name: str
    title: str
    formula: str                                  # matplotlib mathtext
    fn: Callable[[Tensor, Tensor], Tensor]        # broadcasts, differentiable
    a_range: tuple[float, float]
    b_range: tuple[float, float]
    minima: tuple[Minimum, ...]
    bounded_below: bool
    level_scale: str                              # one of SCALES
    lesson: str


def _rosenbrock(a: Tensor, b: Tensor) -> Tensor:
    return (1 - a) ** 2 + 100 * (b - a ** 2) ** 2


def _beale(a: Tensor, b: Tensor) -> Tensor:
    return (1.5 - a + a * b) ** 2 + (2.25 - a + a * b ** 2) ** 2 + (2.625 - a + a * b ** 3) ** 2


def _himmelblau(a: Tensor, b: Tensor) -> Tensor:
    return (a ** 2 + b - 11) ** 2 + (a + b ** 2 - 7) ** 2


def _booth(a: Tensor, b: Tensor) -> Tensor:
    return (a + 2 * b - 7) ** 2 + (2 * a + b - 5) ** 2


def _matyas(a: Tensor, b: Tensor) -> Tensor:
    return 0.26 * (a ** 2 + b ** 2) - 0.48 * a * b


def _camel(a: Tensor, b: Tensor) -> Tensor:
    return (4 - 2.1 * a ** 2 + a ** 4 / 3) * a ** 2 + a * b + (4 * b ** 2 - 4) * b ** 2


def _styblinski_tang(a: Tensor, b: Tensor) -> Tensor:
    return 0.5 * (a ** 4 - 16 * a ** 2 + 5 * a + b ** 4 - 16 * b ** 2 + 5 * b)


def _goldstein_price(a: Tensor, b: Tensor) -> Tensor:
    first = 1 + (a + b + 1) ** 2 * (19 - 14 * a + 3 * a ** 2 - 14 * b + 6 * a * b + 3 * b ** 2)
    second = 30 + (2 * a - 3 * b) ** 2 * (18 - 32 * a + 12 * a ** 2 + 48 * b - 36 * a * b + 27 * b ** 2)
    return first * second


def _rastrigin(a: Tensor, b: Tensor) -> Tensor:
    return 20 + a ** 2 + b ** 2 - 10 * (torch.cos(2 * math.pi * a) + torch.cos(2 * math.pi * b))


def _ackley(a: Tensor, b: Tensor) -> Tensor:
    # sqrt(a² + b²) has a NaN gradient at the origin: the square root is taken only where it is positive,
    # and its gradient is 0 there (a subgradient). Element by element, not vector_norm: that one rounds
    # differently on a batch of points than on one, and a run must not depend on the runs beside it.
    square = a ** 2 + b ** 2
    radius = torch.where(square > 0, torch.sqrt(torch.where(square > 0, square, 1.0)), 0.0)
    ripples = torch.cos(2 * math.pi * a) + torch.cos(2 * math.pi * b)
    return -20 * torch.exp(-0.2 * radius / math.sqrt(2)) - torch.exp(ripples / 2) + math.e + 20


def _saddle(a: Tensor, b: Tensor) -> Tensor:
    return a ** 2 - b ** 2


def _monkey_saddle(a: Tensor, b: Tensor) -> Tensor:
    return a ** 3 - 3 * a * b ** 2


def _pair(a: float, b: float, value: float, is_global: bool = False) -> tuple[Minimum, Minimum]:
    """A minimum and its mirror image through the origin, for the point-symmetric camel."""
    return Minimum(a, b, value, is_global), Minimum(-a, -b, value, is_global)


_ST_LOW, _ST_HIGH = -2.90353402777, 2.74680277099   # roots of 4x³ - 32x + 5 that are minima

_CATALOGUE = (
    LossFunction(
        name="booth", title="Booth", formula=r"$(a+2b-7)^2 + (2a+b-5)^2$", fn=_booth,
        a_range=(-10.0, 10.0), b_range=(-10.0, 10.0), minima=(Minimum(1.0, 3.0, 0.0, True),),
        bounded_below=True, level_scale="log",
        lesson="A tilted quadratic bowl: every optimizer gets there, the learning rate decides how fast."),
    LossFunction(
        name="matyas", title="Matyas", formula=r"$0.26\,(a^2+b^2) - 0.48\,ab$", fn=_matyas,
        a_range=(-10.0, 10.0), b_range=(-10.0, 10.0), minima=(Minimum(0.0, 0.0, 0.0, True),),
        bounded_below=True, level_scale="log",
        lesson="A long, nearly flat valley (condition number 25): plain gradient descent crawls along it."),
    LossFunction(
        name="rosenbrock", title="Rosenbrock", formula=r"$(1-a)^2 + 100\,(b-a^2)^2$", fn=_rosenbrock,
        a_range=(-2.0, 2.0), b_range=(-1.0, 3.0), minima=(Minimum(1.0, 1.0, 0.0, True),),
        bounded_below=True, level_scale="log",
        lesson="A curved, flat-floored valley: reaching it is easy, following it to the minimum is slow."),
    LossFunction(
        name="beale", title="Beale", fn=_beale,
        formula=r"$(1.5-a+ab)^2 + (2.25-a+ab^2)^2 + (2.625-a+ab^3)^2$",
        a_range=(-4.5, 4.5), b_range=(-4.5, 4.5), minima=(Minimum(3.0, 0.5, 0.0, True),),
        bounded_below=True, level_scale="log",
        lesson="Flat plateaus beside steep walls: no single learning rate suits both; adaptive steps cope."),
    LossFunction(
        name="himmelblau", title="Himmelblau", formula=r"$(a^2+b-11)^2 + (a+b^2-7)^2$", fn=_himmelblau,
        a_range=(-5.0, 5.0), b_range=(-5.0, 5.0),
        minima=(Minimum(3.0, 2.0, 0.0, True), Minimum(-2.80511808695, 3.13131251825, 0.0, True),
                Minimum(-3.77931025338, -3.28318599129, 0.0, True),
                Minimum(3.58442834033, -1.84812652696, 0.0, True)),
        bounded_below=True, level_scale="log",
        lesson="Four equally deep minima: where you start decides where you end."),
    LossFunction(
        name="camel", title="Six-hump camel", fn=_camel,
        formula=r"$(4-2.1a^2+a^4/3)\,a^2 + ab + (4b^2-4)\,b^2$",
        a_range=(-2.0, 2.0), b_range=(-1.0, 1.0),
        minima=(_pair(0.0898420131003, -0.712656403021, -1.03162845349, is_global=True)
                + _pair(1.70360671497, -0.796083568673, -0.215463824384)
                + _pair(1.60710475292, 0.568651454884, 2.10425031031)),
        bounded_below=True, level_scale="linear",
        lesson="Two global and four local minima: descent settles in the basin it starts in."),
    LossFunction(
        name="styblinski-tang", title="Styblinski-Tang", fn=_styblinski_tang,
        formula=r"$\frac{1}{2}\,(a^4-16a^2+5a + b^4-16b^2+5b)$",
        a_range=(-4.0, 4.0), b_range=(-4.0, 4.0),    # the usual ±5 buries the minima under quartic walls
        minima=(Minimum(_ST_LOW, _ST_LOW, -78.3323314075, True),
                Minimum(_ST_LOW, _ST_HIGH, -64.1956123591, False),
                Minimum(_ST_HIGH, _ST_LOW, -64.1956123591, False),
                Minimum(_ST_HIGH, _ST_HIGH, -50.0588933106, False)),
        bounded_below=True, level_scale="linear",
        lesson="Four minima of different depths: the nearest minimum is not the deepest."),
    LossFunction(
        name="goldstein-price", title="Goldstein-Price", fn=_goldstein_price,
        formula=r"$[1+(a+b+1)^2(19-14a+3a^2-14b+6ab+3b^2)]\,[30+(2a-3b)^2(18-32a+12a^2+48b-36ab+27b^2)]$",
        a_range=(-2.0, 2.0), b_range=(-2.0, 2.0),
        minima=(Minimum(0.0, -1.0, 3.0, True), Minimum(-0.6, -0.4, 30.0, False),
                Minimum(1.8, 0.2, 84.0, False), Minimum(1.2, 0.8, 840.0, False)),
        bounded_below=True, level_scale="log",
        lesson="Losses spanning six decades and three local minima: raw gradient steps overshoot wildly."),
    LossFunction(
        name="rastrigin", title="Rastrigin", formula=r"$20 + a^2 + b^2 - 10\,(\cos 2\pi a + \cos 2\pi b)$",
        fn=_rastrigin, a_range=(-5.12, 5.12), b_range=(-5.12, 5.12), minima=(Minimum(0.0, 0.0, 0.0, True),),
        bounded_below=True, level_scale="linear",
        lesson="A bowl paved with bumps: small steps stick in a local minimum, large ones hop between them."),
    LossFunction(
        name="ackley", title="Ackley", fn=_ackley,
        formula=r"$-20\,e^{-0.2\sqrt{(a^2+b^2)/2}} - e^{(\cos 2\pi a + \cos 2\pi b)/2} + e + 20$",
        a_range=(-5.0, 5.0), b_range=(-5.0, 5.0), minima=(Minimum(0.0, 0.0, 0.0, True),),
        bounded_below=True, level_scale="linear",
        lesson="A rippled plateau around one deep funnel: far out the gradient hardly says where to go."),
    LossFunction(
        name="saddle", title="Saddle", formula=r"$a^2 - b^2$", fn=_saddle,
        a_range=(-2.0, 2.0), b_range=(-2.0, 2.0), minima=(), bounded_below=False, level_scale="linear",
        lesson="Zero gradient at the centre, yet no minimum: start on b = 0 and descent stalls there."),
    LossFunction(
        name="monkey-saddle", title="Monkey saddle", formula=r"$a^3 - 3ab^2$", fn=_monkey_saddle,
        a_range=(-2.0, 2.0), b_range=(-2.0, 2.0), minima=(), bounded_below=False, level_scale="linear",
        lesson="A flat saddle (zero gradient and curvature): descent crawls past it, then falls away."),
)

#: Every test function by name, in teaching order: bowls, valleys, several minima, many minima, saddles.
FUNCTIONS: dict[str, LossFunction] = {f.name: f for f in _CATALOGUE}

#: Other names people use for a function.
ALIASES = {"six-hump-camel": "camel"}


def loss_function(name: str) -> LossFunction:
    """The test function called `name` (or an alias of it); a one-line OptanimError otherwise."""
    name = ALIASES.get(name, name)
    if name in FUNCTIONS:
        return FUNCTIONS[name]
    close = difflib.get_close_matches(name, [*FUNCTIONS, *ALIASES], n=1)
    hint = f"did you mean '{ALIASES.get(close[0], close[0])}'? " if close else ""
    raise OptanimError(f"loss: unknown function '{name}'; {hint}allowed: {', '.join(FUNCTIONS)}")


#: Log levels start this many decades below their top, or lower still where a wide basin needs it
#: (the FLOOR_QUANTILE of heights above the minimum): either way the valley floor gets a ring.
LOG_DECADES, FLOOR_QUANTILE = 4.0, 0.002
#: Quantiles that set the top of log levels, and the ends of linear ones, so a cliff cannot flatten the rest.
HIGH_QUANTILE, LOW_QUANTILE = 0.95, 0.05
#: How far (in units of the 5-95 % spread) a linear end may reach beyond its quantile before it is clipped.
LINEAR_REACH = 1.0


def contour_levels(loss: np.ndarray, scale: str, count: int = 14) -> tuple[float, ...]:
    """At least two strictly increasing finite contour levels for a loss grid (NaN/inf ignored).

    "log": geometric in the height above the minimum, from LOG_DECADES (or more) below the 95 % quantile
    up to it, so the valley floor gets rings. "linear": even steps from just above the minimum (or, where the grid
    falls far below its 5 % quantile, as an unbounded one does, from near that quantile) to the top.
    """
    if scale not in SCALES:
        raise OptanimError(f"contour scale: unknown '{scale}'; allowed: {', '.join(SCALES)}")
    values = np.asarray(loss, dtype=np.float64)
    values = values[np.isfinite(values)]
    if values.size == 0:
        return (0.0, 1.0)
    lowest, highest = float(values.min()), float(values.max())
    low, high = (float(q) for q in np.quantile(values, (LOW_QUANTILE, HIGH_QUANTILE)))
    if highest - lowest <= 1e-9 * max(1.0, abs(lowest)):    # flat: two levels bracketing it
        step = max(1.0, abs(lowest)) / 2
        return (lowest - step, lowest + step)
    count = max(2, count)
    if scale == "log":
        span = (high if high > lowest else highest) - lowest
        heights = values - lowest
        first = min(span * 10 ** -LOG_DECADES, float(np.quantile(heights[heights > 0], FLOOR_QUANTILE)))
        levels = lowest + np.geomspace(first, span, count)
    else:
        reach = LINEAR_REACH * (high - low)
        bottom, top = max(lowest, low - reach), min(highest, high + reach)
        if top <= bottom:    # most of the grid is one value: its quantiles say nothing
            bottom, top = lowest, highest
        # A level at the minimum itself would be a contour of a point: start one step above it instead.
        skip = int(bottom == lowest)
        levels = np.linspace(bottom, top, count + skip)[skip:]
    return _tidy(levels, lowest)


def _tidy(levels: np.ndarray, floor: float) -> tuple[float, ...]:
    """Levels rounded to a tenth of the gap below each, so labels read "0.2" not "0.198765"."""
    gaps = np.diff(levels, prepend=floor)
    gaps[0] = min(gaps[0], gaps[1])    # a clipped bottom level sits far above the floor
    digits = 1 - np.floor(np.log10(gaps)).astype(int)
    return tuple(float(round(v, int(d))) for v, d in zip(levels, digits))
