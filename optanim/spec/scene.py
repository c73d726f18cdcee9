"""A scene: one experiment, what to train and how to show it. Defaults are the notebook's."""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass, field, fields
from typing import Any, Callable, Mapping, Sequence

import numpy as np
import torch

from ..errors import OptanimError
from .optimizers import NOTEBOOK_OPTIMIZERS, SCHEDULER_EVERY, optimizer_class, scheduler_class
from .checks import choice, finite, non_negative, pair, positive, short_repr
from .loss import DEFAULT_STEPS, LossFn, check_loss, default_window
from .model import sine_cosine
from .netchecks import check_network, network_task
from .runs import Run, runs_of
from .starts import check_starts
from .sweep import check_sweep

#: The notebook's (a_range, b_range).
DATA_WINDOW = ((-3.0, 10.0), (-3.0, 10.0))
#: Fields that describe the data a model is fitted to: none of them applies to a scene with `loss`.
DATA_FIELDS = ("epochs", "batch_size", "n_samples", "x_range", "noise_std", "true_params")

#: The longest motion, and the longest hold, a scene may ask for.
MAX_SECONDS = 600.0

SCHEDULER_ORDERS = ("pytorch", "notebook")
#: The most epochs (or steps) of lr_lambda a scene's checks evaluate.
MAX_CHECKED = 100_000
#: The dashboard's cells, in order: top row left to right, then the bottom row (the readout takes the last).
DASHBOARD_VIEWS = ("contour", "surface", "fit", "loss", "lr")
DASHBOARD_TOP_ROW = 3
#: The zooms by name (a fixed window is the other kind: see draw/camera.py).
ZOOMS = ("auto", "off")
#: How frames follow steps (draw/timeline.py holds the curves; the names are part of the scene):
#: "motion" spends frames where the paths move on screen, the curves by the step number alone.
EASINGS = ("motion", "linear", "quadratic", "cubic")


def constant_lr(epoch: int) -> float:
    """The notebook's default lr_lambda: the learning rate never changes."""
    return 1.0


@dataclass(frozen=True)
class Scene:
    """One experiment. A scene file sets only what differs from these (the notebook's) defaults."""

    # what to show it as
    name: str = ""                      # default: the scene file's name
    title: str = ""                     # default: built from the hyperparameters
    notes: str = ""                     # the deck's speaker notes (--format pptx); default: from the recording

    # the model and the data
    model: Callable[..., torch.Tensor] = sine_cosine
    true_params: tuple[float, float] | None = (1.2, 2.5)
    n_samples: int = 200
    x_range: tuple[float, float] = (-1.0, 1.0)
    noise_std: float = 0.1
    seed: int = 0
    data: tuple[Sequence[float], Sequence[float]] | str | None = None   # your own (x, y); a data set's name

    # or a real network instead of two parameters (spec/network.py), drawn on a plane through its weights
    network: Callable[[], torch.nn.Module] | None = None   # builds the start; every run trains a copy
    criterion: str = ""                 # "mse", "cross_entropy", "bce"; "": by the data (classes or values)
    test_share: float = 0.25            # the samples held out as a test set, the same for every run
    plane: str = "ends"                 # "ends", "pca" or "random" (spec/network.py, data/plane.py)
    plane_runs: tuple[str, ...] | str | None = None   # the runs the plane goes through; None: chosen

    # or instead of a model and data: a loss function of (a, b) to minimise directly
    loss: str | LossFn | None = None    # a built-in's name ("rosenbrock") or loss(a, b) of torch tensors
    steps: int | None = None            # its full-batch steps (default DEFAULT_STEPS); no epochs, no batches
    grad_noise: float = 0.0             # std of seeded Gaussian noise added to every gradient, the same for all

    # training
    init: tuple[float, float] = (2.0, 4.5)
    starts: tuple[int, int] | int | Sequence[tuple[float, float]] | None = None   # many starts: field views
    epochs: int = 50
    lr: float = 0.01
    batch_size: int = 16
    weight_decay: float = 0.0
    momentum: float = 0.9               # for "sgdm" only
    lr_lambda: Callable[[int], float] = constant_lr
    # any torch.optim.lr_scheduler class, lower-case, or a function optimizer -> scheduler (SequentialLR...)
    scheduler: str | Callable[[torch.optim.Optimizer], Any] = "lambdalr"
    scheduler_kwargs: Mapping[str, Any] = field(default_factory=dict)
    scheduler_order: str = "pytorch"    # "notebook": scheduler.step() at the start of each epoch
    scheduler_every: str = "epoch"      # "step": scheduler.step() after every optimizer step
    # names, or torch.optim.Optimizer subclasses of your own ({"mine": MySignSGD}): spec/runs.py
    optimizers: Sequence[Any] | Mapping[str, Any] = NOTEBOOK_OPTIMIZERS
    device: str = "cpu"

    # the landscape
    a_range: tuple[float, float] | None = None   # default: the notebook's, or the loss function's usual window
    b_range: tuple[float, float] | None = None
    resolution: int = 100
    contour_levels: tuple[float, ...] | None = None   # default: the notebook's, or levels that suit the loss

    # the animation
    duration: float = 10.0              # seconds of motion
    hold: float = 1.0                   # seconds the last frame holds
    easing: str = "motion"              # frames where the paths move; "linear", "quadratic", "cubic"
    azimuth_turn: float = 360.0         # degrees the 3D camera turns over the video; 0 = fixed
    azimuth_start: float = -60.0
    elevation: float = 65.0          # high enough to see into the valleys
    surface_cmap: str = "viridis"       # "jet" for the notebook's look
    state_focus: str = ""               # the run whose update rule the state view writes out; "": the first
    dashboard_views: tuple[str, ...] = DASHBOARD_VIEWS   # a view named twice in a row spans both cells
    # "auto": the 2D views and the surface zoom in on paths that use a small part of the window;
    # "off": always the whole window; or a fixed window (a_min, a_max, b_min, b_max)
    zoom: str | tuple[float, float, float, float] = "auto"

    # one field's values, the scene run once per value and shown side by side (spec/sweep.py)
    sweep: Mapping[str, Sequence[Any]] | None = None

    def __post_init__(self) -> None:
        validate(self)

    def __repr__(self) -> str:
        """Only what differs from the defaults: a notebook cell stays readable."""
        return short_repr(self)

    @property
    def runs(self) -> tuple[Run, ...]:
        """One run per entry of `optimizers`, in the scene's order."""
        return runs_of(self.optimizers)

    @property
    def optimizer_kwargs(self) -> dict[str, dict[str, Any]]:
        """Run key -> extra keyword arguments, in the scene's order."""
        return {run.key: dict(run.kwargs) for run in self.runs}

    @property
    def has_data(self) -> bool:
        """Whether the scene fits a model to data (the fit view needs it) rather than minimising `loss`."""
        return self.loss is None

    @property
    def is_network(self) -> bool:
        """Whether the scene trains a real network, drawn on a plane through its weights."""
        return self.network is not None

    @property
    def kind(self) -> str:
        """What the views ask: "data" (two parameters fitted to data), "loss" (a function of two),
        "classes" or "regression" (a network on class labels or on values)."""
        if self.is_network:
            return "classes" if network_task(self) == "classes" else "regression"
        return "data" if self.has_data else "loss"

    @property
    def n_epochs(self) -> int:
        """The epochs the scheduler steps through: `epochs`, or with `loss` one per step."""
        if self.has_data:
            return self.epochs
        return DEFAULT_STEPS if self.steps is None else self.steps

    @property
    def window(self) -> tuple[tuple[float, float], tuple[float, float]]:
        """(a_range, b_range) shown: the scene's own, else the notebook's or the loss function's usual one."""
        if self.is_network:   # the plane's window holds the paths: data/plane.py finds it from the recording
            if self.a_range is None or self.b_range is None:
                raise OptanimError("a_range/b_range: a network scene's window comes from its recording's paths "
                                   "unless both are given")
            return tuple(self.a_range), tuple(self.b_range)
        a_default, b_default = DATA_WINDOW if self.has_data else default_window(self.loss, self.init)
        return (tuple(self.a_range) if self.a_range is not None else a_default,
                tuple(self.b_range) if self.b_range is not None else b_default)

    @property
    def steps_per_epoch(self) -> int:
        """Optimizer steps per epoch: the mini-batches of the data, or one on a loss function (of a
        network's data set, the samples it is asked for, before the test share is held out)."""
        if not self.has_data:
            return 1
        n_data = self.n_samples if self.data is None or isinstance(self.data, str) else len(self.data[0])
        return -(-n_data // self.batch_size)

    @property
    def n_scheduler_steps(self) -> int:
        """How often the scheduler steps over the whole scene: once per epoch, or once per step."""
        return self.n_epochs * (self.steps_per_epoch if self.scheduler_every == "step" else 1)

    @property
    def lr_factors(self) -> list[float]:
        """lr_lambda at 0..n_scheduler_steps: all a LambdaLR scene's schedule depends on."""
        return [float(self.lr_lambda(epoch)) for epoch in range(self.n_scheduler_steps + 1)]


def validate(scene: Scene) -> None:
    """Raise OptanimError naming the field and what is allowed; checks need no training."""
    if not isinstance(scene.notes, str):
        raise OptanimError(f"notes: must be text (the deck's speaker notes), got {type(scene.notes).__name__}")
    for name in ("epochs", "batch_size", "n_samples", "resolution"):
        positive(getattr(scene, name), name, int)
    for name in ("lr", "duration"):
        positive(getattr(scene, name), name)
    for name in ("weight_decay", "momentum", "noise_std", "hold", "azimuth_turn", "azimuth_start",
                 "elevation"):
        finite(getattr(scene, name), name)
    for name in ("hold", "weight_decay", "noise_std"):
        non_negative(getattr(scene, name), name)
    for name in ("duration", "hold"):  # every frame is drawn and kept in memory: an hour would not fit
        if getattr(scene, name) > MAX_SECONDS:
            raise OptanimError(f"{name}: at most {MAX_SECONDS:g} seconds, got {getattr(scene, name)!r}")
    if not 8 <= scene.resolution <= 1000:
        raise OptanimError(f"resolution: must be between 8 and 1000 grid points, got {scene.resolution}")
    for name in ("init", "x_range"):
        pair(getattr(scene, name), name)
    for name in ("a_range", "b_range"):
        if getattr(scene, name) is not None:
            pair(getattr(scene, name), name, increasing=True)
    if scene.true_params is not None:
        pair(scene.true_params, "true_params")
    choice(scene.scheduler_order, "scheduler_order", SCHEDULER_ORDERS)
    choice(scene.easing, "easing", EASINGS)
    if scene.is_network:   # its data, its loss and its start are its own
        check_network(scene, scene.runs, {f.name: f.default for f in fields(scene)})
    elif isinstance(scene.data, str):
        raise OptanimError(f"data: a data set by name ({scene.data!r}) is for a network scene; give network= "
                           "or data=(x, y)")
    else:
        _check_two_parameters(scene)
    _check_zoom(scene)
    for run in scene.runs:
        if run.cls is None:
            optimizer_class(run.optimizer)
    _check_schedule(scene)
    check_starts(scene.starts, scene.runs)
    _check_views(scene)
    levels = scene.contour_levels
    if levels is not None and (
            not isinstance(levels, (tuple, list)) or len(levels) < 2 or
            any(isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) for v in levels) or
            any(b <= a for a, b in zip(levels, levels[1:]))):
        raise OptanimError("contour_levels: must be at least two increasing numbers")
    import matplotlib  # the colour map is only a name here; matplotlib owns the list
    if scene.surface_cmap not in matplotlib.colormaps:
        near = difflib.get_close_matches(scene.surface_cmap, list(matplotlib.colormaps), 3)
        raise OptanimError(f"surface_cmap: unknown colour map {scene.surface_cmap!r}"
                           + (f"; did you mean {', '.join(near)}?" if near else ""))
    if scene.sweep is not None:
        check_sweep(scene)


def _check_two_parameters(scene: Scene) -> None:
    """A model fitted to data, or a loss function: its fields together."""
    _check_kind(scene)
    if not scene.has_data:
        return check_loss(scene.loss, scene.init)
    if not callable(scene.model):
        raise OptanimError("model: must be a function f(x, a, b) of torch tensors")
    _check_model(scene)
    n_data = _check_data(scene)
    if scene.batch_size > n_data:
        raise OptanimError(f"batch_size: {scene.batch_size} is larger than the data ({n_data} samples)")


def _check_kind(scene: Scene) -> None:
    """A scene fits a model to data (epochs of batches) or minimises a loss function (steps), never both."""
    if scene.has_data:
        if scene.steps is not None:
            raise OptanimError("steps: only a scene with loss= counts steps; a scene that fits data has epochs=")
        if scene.grad_noise != 0:
            raise OptanimError("grad_noise: only a scene with loss= takes gradient noise "
                               "(a scene that fits data has its mini-batches)")
        return
    if scene.model is not sine_cosine or scene.data is not None:
        raise OptanimError("loss: a scene fits a model to data or minimises a loss function, not both; "
                           "drop model/data or loss")
    defaults = {f.name: f.default for f in fields(scene)}
    for name in DATA_FIELDS:
        if getattr(scene, name) != defaults[name]:
            hint = "set steps= (one full step each) instead" if name == "epochs" else f"drop {name}"
            raise OptanimError(f"{name}: describes data, and a scene with loss= has none; {hint}")
    if scene.steps is not None:
        positive(scene.steps, "steps", int)
    non_negative(scene.grad_noise, "grad_noise")
def _check_zoom(scene: Scene) -> None:
    zoom = scene.zoom
    if isinstance(zoom, str):
        return choice(zoom, "zoom", ZOOMS)
    if not isinstance(zoom, (tuple, list)) or len(zoom) != 4:
        raise OptanimError(f'zoom: must be "auto", "off" or (a_min, a_max, b_min, b_max), got {zoom!r}')
    pair(zoom[:2], "zoom", increasing=True)
    pair(zoom[2:], "zoom", increasing=True)
    if scene.is_network and (scene.a_range is None or scene.b_range is None):
        return   # the window is the recording's: the camera keeps the zoom inside it
    (a_min, a_max), (b_min, b_max) = scene.window
    if not (a_min <= zoom[0] and zoom[1] <= a_max and b_min <= zoom[2] and zoom[3] <= b_max):
        raise OptanimError(f"zoom: the window {tuple(zoom)} must lie inside a_range {(a_min, a_max)} "
                           f"and b_range {(b_min, b_max)}, where the loss is computed")


def _check_views(scene: Scene) -> None:
    """The state view's focus names a run; the dashboard fills at most its cells, each view in one
    place (views/ checks the names themselves: this layer cannot see the registry)."""
    keys = [run.key for run in scene.runs]
    if scene.state_focus and scene.state_focus not in keys:
        raise OptanimError(f"state_focus: {scene.state_focus!r} is not a run of this scene; allowed: {', '.join(keys)}")
    cells = scene.dashboard_views
    if isinstance(cells, str) or not isinstance(cells, (tuple, list)) or not cells or \
            len(cells) > len(DASHBOARD_VIEWS) or not all(isinstance(v, str) for v in cells):
        raise OptanimError(f"dashboard_views: must be 1 to {len(DASHBOARD_VIEWS)} view names, one per cell, "
                           f"e.g. {DASHBOARD_VIEWS}; got {cells!r}")
    runs = [name for i, name in enumerate(cells) if i == 0 or cells[i - 1] != name]
    straddles = len(cells) > DASHBOARD_TOP_ROW and cells[DASHBOARD_TOP_ROW] == cells[DASHBOARD_TOP_ROW - 1]
    if len(set(runs)) != len(runs) or straddles:
        raise OptanimError(f"dashboard_views: a view may span neighbouring cells of one row (cells 1-3 are the "
                           f"top row, 4-5 the bottom) but not appear twice apart, got {tuple(cells)}")


def _check_data(scene: Scene) -> int:
    if scene.data is None:
        if scene.true_params is None:
            raise OptanimError("true_params: needed to generate data (or give data=(x, y))")
        return scene.n_samples
    try:
        x, y = (np.asarray(v, dtype=float) for v in scene.data)
    except (TypeError, ValueError):
        raise OptanimError("data: must be a pair (x, y) of equal-length number sequences") from None
    if x.ndim != 1 or x.shape != y.shape or len(x) == 0:
        raise OptanimError(f"data: x and y must be 1-D and of equal length, got {x.shape} and {y.shape}")
    if not (np.isfinite(x).all() and np.isfinite(y).all()):
        raise OptanimError("data: x and y must be finite numbers")
    return len(x)


def _check_schedule(scene: Scene) -> None:
    choice(scene.scheduler_every, "scheduler_every", SCHEDULER_EVERY)
    if isinstance(scene.scheduler, str):
        scheduler_class(scene.scheduler)
    elif not callable(scene.scheduler):
        raise OptanimError(f"scheduler: a scheduler's name or a function optimizer -> scheduler, got {scene.scheduler!r}")
    elif scene.scheduler_kwargs:
        raise OptanimError("scheduler_kwargs: only for a scheduler given by name; a function builds its own")
    if scene.scheduler_every == "step" and scene.scheduler_order == "notebook":
        raise OptanimError('scheduler_every: "step" steps after each optimizer step; scheduler_order="notebook" '
                           'steps before each epoch: use one or the other')
    if not callable(scene.lr_lambda):
        raise OptanimError("lr_lambda: must be a function of the epoch, e.g. lambda epoch: 0.9 ** epoch")
    # every epoch either scheduler order will ask for; of a huge scene the first ones (the preflight's
    # estimate refuses it, and a forced one meets the rest as it trains)
    for epoch in range(min(scene.n_scheduler_steps + 2, MAX_CHECKED)):
        try:
            value = scene.lr_lambda(epoch)
        except Exception as error:  # a user's function: any error is theirs to fix
            raise OptanimError(f"lr_lambda: raised {type(error).__name__}: {error} at epoch {epoch}") from None
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise OptanimError(f"lr_lambda: must return a finite number, returned {value!r} at epoch {epoch}")


def _check_model(scene: Scene) -> None:
    """The model must take tensors and broadcast over a and b: the landscape evaluates it on a grid."""
    x = torch.linspace(-1, 1, 5)
    a, b = torch.full((3, 1), float(scene.init[0])), torch.full((3, 1), float(scene.init[1]))
    try:
        with torch.no_grad():
            out = scene.model(x, a, b)
    except Exception as error:
        raise OptanimError(f"model: f(x, a, b) raised {type(error).__name__}: {error}; it must take "
                           "torch tensors and broadcast over a and b") from None
    if not isinstance(out, torch.Tensor) or tuple(out.shape) != (3, 5):
        shape = tuple(out.shape) if isinstance(out, torch.Tensor) else type(out).__name__
        raise OptanimError(f"model: f(x, a, b) must return a tensor broadcast over a and b "
                           f"(shape (3, 5) for x of 5 points and a, b of shape (3, 1)), got {shape}")
