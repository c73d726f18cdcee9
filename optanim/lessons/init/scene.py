"""The initialisation lesson's scene: deep nets, their initialisation schemes and activations."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from ...errors import OptanimError
from ...spec.checks import choice, non_negative, positive, short_repr

SCHEMES = ("default", "normal", "xavier", "kaiming")
ACTIVATIONS = ("tanh", "relu", "sigmoid", "leaky_relu")

#: Histograms run over ±HIST_LIMIT; the input and the gradient arriving at the output have std 1,
#: so a steady signal fills the axis. An odd number of bins puts 0 in the middle of one: a vanished
#: signal is one spike, not two half-spikes.
HIST_LIMIT = 4.0
HIST_BINS = 49

#: Bounds that keep the exploding N(0, 1) curves finite in float64 (σ√width per layer, depth times).
MAX_DEPTH, MAX_WIDTH = 100, 2048


@dataclass(frozen=True)
class InitScene:
    """Deep fully connected nets fed standard-normal inputs, one per (scheme, activation)."""

    name: str = ""                      # default: the scene file's name
    title: str = ""
    depth: int = 20                     # layers, each width x width
    width: int = 256
    schemes: Sequence[str] = SCHEMES    # "default": nn.Linear's own init; "normal": N(0, 1)
    activations: Sequence[str] = ("tanh", "relu")
    negative_slope: float = 0.01        # for leaky_relu, and Kaiming's a
    batch: int = 1000                   # standard-normal inputs fed at once
    seed: int = 0
    device: str = "cpu"
    duration: float = 10.0              # seconds of motion
    hold: float = 1.0                   # seconds the last frame holds

    def __repr__(self) -> str:
        return short_repr(self)

    def __post_init__(self) -> None:
        for name in ("depth", "width", "batch"):
            positive(getattr(self, name), name, int)
        if self.depth > MAX_DEPTH or self.width > MAX_WIDTH:
            bad, limit = ("depth", MAX_DEPTH) if self.depth > MAX_DEPTH else ("width", MAX_WIDTH)
            raise OptanimError(f"{bad}: {getattr(self, bad)} is too large (N(0, 1) overflows); "
                               f"allowed: 1 to {limit}")
        if self.batch < 2:
            raise OptanimError("batch: needs at least 2 inputs for a standard deviation; allowed: 2 or more")
        for name, allowed in (("schemes", SCHEMES), ("activations", ACTIVATIONS)):
            values = getattr(self, name)
            if isinstance(values, str) or not isinstance(values, Sequence) or len(values) == 0:
                raise OptanimError(f"{name}: must be a non-empty list of names, got {values!r}; "
                                   f"allowed: {', '.join(allowed)}")
            if len(set(values)) != len(values):
                raise OptanimError(f"{name}: each name may appear once, got {list(values)}")
            for value in values:
                choice(value, name, allowed)
        non_negative(self.negative_slope, "negative_slope")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int):
            raise OptanimError(f"seed: must be a whole number, got {self.seed!r}")
        if not isinstance(self.device, str):
            raise OptanimError(f"device: must be a name such as 'cpu' or 'cuda', got {self.device!r}")
        positive(self.duration, "duration")
        non_negative(self.hold, "hold")
