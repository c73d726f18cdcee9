"""A scene: one experiment, what to train and how to show it. Defaults are the notebook's."""

from __future__ import annotations

import difflib
import math
import runpy
import traceback
import warnings
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Mapping, Sequence

import numpy as np
import torch

from .errors import OptanimError
from .model import sine_cosine
from .optimizers import NOTEBOOK_OPTIMIZERS, make_optimizer, make_scheduler, scheduler_class
from .timeline import EASINGS

if TYPE_CHECKING:
    from .initialisation import InitScene

#: The notebook's CONTOUR_LEVELS: fine near the minimum, coarse on the hills.
NOTEBOOK_LEVELS = tuple(float(v) for v in np.concatenate((
    np.linspace(0, 0.1, 5, endpoint=False), np.linspace(0.1, 1, 4, endpoint=False),
    np.linspace(1, 2, 5, endpoint=False), np.linspace(2, 4, 5))))

SCHEDULER_ORDERS = ("pytorch", "notebook")


def constant_lr(epoch: int) -> float:
    """The notebook's default lr_lambda: the learning rate never changes."""
    return 1.0


@dataclass(frozen=True)
class Scene:
    """One experiment. A scene file sets only what differs from these (the notebook's) defaults."""

    # what to show it as
    name: str = ""                      # default: the scene file's name
    title: str = ""                     # default: built from the hyperparameters

    # the model and the data
    model: Callable[..., torch.Tensor] = sine_cosine
    true_params: tuple[float, float] | None = (1.2, 2.5)
    n_samples: int = 200
    x_range: tuple[float, float] = (-1.0, 1.0)
    noise_std: float = 0.1
    seed: int = 0
    data: tuple[Sequence[float], Sequence[float]] | None = None   # your own (x, y)

    # training
    init: tuple[float, float] = (2.0, 4.5)
    epochs: int = 50
    lr: float = 0.01
    batch_size: int = 16
    weight_decay: float = 0.0
    momentum: float = 0.9               # for "sgdm" only
    lr_lambda: Callable[[int], float] = constant_lr
    scheduler: str = "lambdalr"         # any torch.optim.lr_scheduler class, lower-case
    scheduler_kwargs: Mapping[str, Any] = field(default_factory=dict)
    scheduler_order: str = "pytorch"    # "notebook": scheduler.step() at the start of each epoch
    optimizers: Sequence[str] | Mapping[str, Mapping[str, Any]] = NOTEBOOK_OPTIMIZERS
    device: str = "cpu"

    # the landscape
    a_range: tuple[float, float] = (-3.0, 10.0)
    b_range: tuple[float, float] = (-3.0, 10.0)
    resolution: int = 100
    contour_levels: tuple[float, ...] = NOTEBOOK_LEVELS

    # the animation
    duration: float = 10.0              # seconds of motion
    hold: float = 1.0                   # seconds the last frame holds
    easing: str = "quadratic"           # more frames for the early steps; "linear" for none
    azimuth_turn: float = 360.0         # degrees the 3D camera turns over the video; 0 = fixed
    azimuth_start: float = -60.0
    elevation: float = 65.0          # high enough to see into the valleys
    surface_cmap: str = "viridis"       # "jet" for the notebook's look

    def __post_init__(self) -> None:
        validate(self)

    @property
    def optimizer_kwargs(self) -> dict[str, dict[str, Any]]:
        """Optimizer key -> extra keyword arguments, in the scene's order."""
        if isinstance(self.optimizers, Mapping):
            return {key: dict(kwargs or {}) for key, kwargs in self.optimizers.items()}
        return {key: {} for key in self.optimizers}

    @property
    def lr_factors(self) -> list[float]:
        """lr_lambda at epochs 0..epochs: all a LambdaLR scene's schedule depends on."""
        return [float(self.lr_lambda(epoch)) for epoch in range(self.epochs + 1)]


def _positive(value: Any, name: str, kind: type = float) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float) if kind is float else int):
        raise OptanimError(f"{name}: must be a {'number' if kind is float else 'whole number'}, got {value!r}")
    if not math.isfinite(value) or value <= 0:
        raise OptanimError(f"{name}: must be a {'finite' if kind is float else 'whole'} number > 0, got {value!r}")


def _finite(value: Any, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise OptanimError(f"{name}: must be a finite number, got {value!r}")


def _pair(value: Any, name: str, *, increasing: bool = False) -> None:
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise OptanimError(f"{name}: must be a pair of numbers (first, second), got {value!r}")
    for v in value:
        _finite(v, name)
    if increasing and value[0] >= value[1]:
        raise OptanimError(f"{name}: min must be < max, got {tuple(value)}")


def _choice(value: Any, name: str, allowed: Sequence[str]) -> None:
    if value not in allowed:
        raise OptanimError(f"{name}: {value!r} is not allowed; allowed: {', '.join(allowed)}")


def validate(scene: Scene) -> None:
    """Raise OptanimError naming the field and what is allowed; checks need no training."""
    for name in ("epochs", "batch_size", "n_samples", "resolution"):
        _positive(getattr(scene, name), name, int)
    for name in ("lr", "duration"):
        _positive(getattr(scene, name), name)
    for name in ("weight_decay", "momentum", "noise_std", "hold", "azimuth_turn", "azimuth_start",
                 "elevation"):
        _finite(getattr(scene, name), name)
    if scene.hold < 0 or scene.weight_decay < 0 or scene.noise_std < 0:
        bad = next(n for n in ("hold", "weight_decay", "noise_std") if getattr(scene, n) < 0)
        raise OptanimError(f"{bad}: must be >= 0, got {getattr(scene, bad)!r}")
    if not 8 <= scene.resolution <= 1000:
        raise OptanimError(f"resolution: must be between 8 and 1000 grid points, got {scene.resolution}")
    for name in ("init", "x_range"):
        _pair(getattr(scene, name), name)
    for name in ("a_range", "b_range"):
        _pair(getattr(scene, name), name, increasing=True)
    if scene.true_params is not None:
        _pair(scene.true_params, "true_params")
    _choice(scene.scheduler_order, "scheduler_order", SCHEDULER_ORDERS)
    _choice(scene.easing, "easing", tuple(EASINGS))
    if not callable(scene.model):
        raise OptanimError("model: must be a function f(x, a, b) of torch tensors")
    _check_model(scene)
    n_data = _check_data(scene)
    if scene.batch_size > n_data:
        raise OptanimError(f"batch_size: {scene.batch_size} is larger than the data ({n_data} samples)")
    _check_optimizers(scene)
    _check_schedule(scene)
    _check_scheduler_run(scene)
    levels = scene.contour_levels
    if not isinstance(levels, (tuple, list)) or len(levels) < 2 or \
            any(isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) for v in levels) or \
            any(b <= a for a, b in zip(levels, levels[1:])):
        raise OptanimError("contour_levels: must be at least two increasing numbers")
    import matplotlib  # the colour map is only a name here; matplotlib owns the list
    if scene.surface_cmap not in matplotlib.colormaps:
        near = difflib.get_close_matches(scene.surface_cmap, list(matplotlib.colormaps), 3)
        raise OptanimError(f"surface_cmap: unknown colour map {scene.surface_cmap!r}"
                           + (f"; did you mean {', '.join(near)}?" if near else ""))


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


def _check_optimizers(scene: Scene) -> None:
    opts = scene.optimizers
    if isinstance(opts, str) or not isinstance(opts, (Sequence, Mapping)) or len(opts) == 0:
        raise OptanimError(f"optimizers: must be a list of names or a mapping name -> options, got {opts!r}")
    if not isinstance(opts, Mapping) and len(set(opts)) != len(opts):
        raise OptanimError("optimizers: each optimizer may appear once")
    if isinstance(opts, Mapping) and any(v is not None and not isinstance(v, Mapping) for v in opts.values()):
        raise OptanimError("optimizers: in a mapping each value is a dict of keyword arguments, "
                           "e.g. {'adamw': {'betas': (0.8, 0.99)}}")
    for key, extra in scene.optimizer_kwargs.items():
        a, b = (torch.zeros((), requires_grad=True) for _ in range(2))
        optimizer = make_optimizer(key, [a, b], lr=scene.lr, weight_decay=scene.weight_decay,
                                   momentum=scene.momentum, extra=extra)
        a.grad, b.grad = torch.ones(()), torch.ones(())
        try:  # one step on scalars: what recording will ask of it
            optimizer.step()
        except Exception as error:
            raise OptanimError(f"optimizers: {key} cannot train the scalar parameters a and b: "
                               f"{type(error).__name__}: {error}") from None


def _check_schedule(scene: Scene) -> None:
    scheduler_class(scene.scheduler)
    if not callable(scene.lr_lambda):
        raise OptanimError("lr_lambda: must be a function of the epoch, e.g. lambda epoch: 0.9 ** epoch")
    for epoch in range(scene.epochs + 2):   # every epoch either scheduler order will ask for
        try:
            value = scene.lr_lambda(epoch)
        except Exception as error:  # a user's function: any error is theirs to fix
            raise OptanimError(f"lr_lambda: raised {type(error).__name__}: {error} at epoch {epoch}") from None
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise OptanimError(f"lr_lambda: must return a finite number, returned {value!r} at epoch {epoch}")


def _check_scheduler_run(scene: Scene) -> None:
    """Build the scheduler on a stand-in optimizer and step it through every epoch, as recording will."""
    optimizer = torch.optim.SGD([torch.zeros((), requires_grad=True)], lr=scene.lr)
    scheduler = make_scheduler(scene.scheduler, optimizer, scene.scheduler_kwargs, scene.lr_lambda)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            for _ in range(scene.epochs + 1):
                optimizer.step()
                scheduler.step()
        except Exception as error:
            raise OptanimError(f"scheduler_kwargs: {scene.scheduler} fails over {scene.epochs} epochs: "
                               f"{type(error).__name__}: {error}") from None


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



def load_scene(path: str | Path, name: str | None = None) -> Scene | InitScene:
    """The Scene (or InitScene) a scene file defines (`scene = Scene(...)`; `name` picks one of several)."""
    path = Path(path)
    if not path.exists():
        raise OptanimError(f"{path}: no such scene file")
    if path.is_dir():
        raise OptanimError(f"{path}: is a folder; give a scene file such as scenes/exp1.py")
    if path.suffix != ".py":
        raise OptanimError(f"{path}: a scene file must be a .py file")
    try:
        namespace = runpy.run_path(str(path), run_name="__scene__")
    except OptanimError as error:
        raise OptanimError(f"{path}: {error}") from None
    except SyntaxError as error:
        raise OptanimError(f"{path}:{error.lineno}: syntax error: {error.msg}") from None
    except TypeError as error:
        raise OptanimError(f"{path}:{_user_line(error, path)}: {_field_hint(error)}") from None
    except Exception as error:  # the scene file's own bug: report its line, not ours
        raise OptanimError(f"{path}:{_user_line(error, path)}: {type(error).__name__}: {error}") from None
    from .initialisation import InitScene  # here: initialisation builds on this module

    scenes = {key: value for key, value in namespace.items() if isinstance(value, (Scene, InitScene))}
    if name is not None:
        if name not in scenes:
            raise OptanimError(f"{path}: --scene {name!r} not found; the file defines: "
                               f"{', '.join(scenes) or 'no scene'}")
        chosen = scenes[name]
    elif "scene" in scenes:
        chosen = scenes["scene"]
    elif len(scenes) == 1:
        chosen = next(iter(scenes.values()))
    elif not scenes:
        raise OptanimError(f"{path}: defines no scene; write `scene = Scene(...)`")
    else:
        raise OptanimError(f"{path}: defines several scenes ({', '.join(scenes)}); pick one with --scene NAME")
    if not chosen.name:
        from dataclasses import replace
        chosen = replace(chosen, name=path.stem if name is None or name == "scene" else f"{path.stem}-{name}")
    return chosen


def _user_line(error: BaseException, path: Path) -> str:
    lines = [frame.lineno for frame in traceback.extract_tb(error.__traceback__)
             if Path(frame.filename).resolve() == path.resolve()]
    return str(lines[-1]) if lines else "?"


def _field_hint(error: TypeError) -> str:
    """Python's 'X.__init__() got an unexpected keyword argument' as a field error, with a guess."""
    from .initialisation import InitScene

    message = str(error)
    marker = "unexpected keyword argument '"
    if marker not in message:
        return f"TypeError: {message}"
    bad = message.split(marker, 1)[1].split("'", 1)[0]
    kind = InitScene if message.startswith("InitScene.") else Scene
    names = [f.name for f in fields(kind)]
    near = difflib.get_close_matches(bad, names, 1)
    hint = f"; did you mean {near[0]!r}?" if near else f"; fields: {', '.join(names)}"
    return f"{bad}: unknown {kind.__name__} field{hint}"


def warnings_for(scene: Scene) -> list[str]:
    """Things that are allowed but probably not meant: they are printed, never fatal."""
    notes = []
    if not isinstance(scene, Scene):  # an InitScene has no start point or window to check
        return notes
    a, b = scene.init
    if not (scene.a_range[0] <= a <= scene.a_range[1] and scene.b_range[0] <= b <= scene.b_range[1]):
        notes.append(f"init: {tuple(scene.init)} lies outside the landscape window "
                     f"a in {tuple(scene.a_range)}, b in {tuple(scene.b_range)}; its path will not show")
    return notes
