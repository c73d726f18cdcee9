"""Everything the views draw, as plain arrays: the one thing that flows from computation to drawing."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from ..data.batches import BatchLosses, batch_losses
from ..data.field import Field
from ..data.landscape import Landscape, landscape as landscape_over
from ..data.recording import Recording
from ..spec.loss import formula_of, function_of
from ..spec.scene import DASHBOARD_VIEWS, Scene
from ..spec.optimizers import label
from .camera import region, whole
from .networks import network_fits, network_regions
from .camera import windows as camera_windows
from .pacing import heads_at, window_paths
from .style import RunStyle, run_styles
from .timeline import Timeline, timeline

#: Points on each fitted curve: smooth at 4K, cheap to move.
FIT_POINTS = 240


@dataclass(frozen=True)
class Camera:
    azimuth_start: float
    azimuth_turn: float
    elevation: float

    def azimuth(self, turn: float) -> float:
        return self.azimuth_start + self.azimuth_turn * turn


@dataclass(frozen=True)
class Movie:
    title: str
    subtitle: str
    recording: Recording
    landscape: Landscape
    timeline: Timeline
    init: tuple[float, float]
    minima: tuple[tuple[float, float], ...]   # drawn as stars: the true parameters, a function's minima
    fit_x: np.ndarray | None
    fits: dict[str, np.ndarray]       # run -> (n_frames, FIT_POINTS) model curve at each frame
    true_curve: np.ndarray | None
    camera: Camera
    surface_cmap: str
    styles: dict[str, RunStyle]       # run -> colour, marker, dash: the same in every view
    windows: np.ndarray               # (n_frames, 4): the (a_min, a_max, b_min, b_max) each frame shows
    detail: Landscape | None          # the loss again, as fine, where the camera zooms in (draw/camera.py)
    local_minima: tuple[tuple[float, float], ...] = ()   # those of `minima` that are only local
    field: Field | None = None        # every start at once, for a scene with starts (the field views)
    state_focus: str = ""             # the run whose update rule the state view writes out; "": the first
    dashboard_views: tuple[str, ...] = DASHBOARD_VIEWS   # the dashboard's cells, in order
    kind: str = "data"                # the scene's kind (Scene.kind): which views apply
    axis_labels: tuple[str, str] = ("a", "b")   # a network's: what the plane's two directions are
    region_grid: tuple[np.ndarray, np.ndarray] | None = None   # a class network's input axes (x₁, x₂)
    regions: dict[str, np.ndarray] | None = None   # run -> (n_frames, cells, cells, classes) probabilities
    batches: tuple[BatchLosses | None, ...] = ()   # any mini-batch's loss on (landscape, detail); () without data

    @property
    def true_params(self) -> tuple[float, float] | None:
        """The one point a data scene's answer is (None where there is none, or several minima)."""
        return self.minima[0] if len(self.minima) == 1 else None

    def step(self, key: str, frame: int) -> int:
        """The last step an optimizer has fully reached at this frame, where its trail ends: a
        diverged one stays at its last good step (-1 for a path that diverged at step 0, so that
        slices [s:s + 1] are empty)."""
        return min(self.timeline.whole(frame), len(self.recording.paths[key].a) - 1)

    def at(self, key: str, frame: int) -> float:
        """The fractional step an optimizer's head shows at this frame: between two recorded steps
        while one long step is travelled over several frames; held at a diverged run's last step."""
        return min(float(self.timeline.steps[frame]), len(self.recording.paths[key].a) - 1.0)

    def head(self, key: str, frame: int, *series: np.ndarray) -> np.ndarray:
        """(len(series), 1): each per-step array of this run (a, b, loss...) where its head is, along
        the segment it travels; NaN (drawn as nothing) for a path that diverged at step 0."""
        s = self.at(key, frame)
        i = max(int(s), 0)
        return heads_at(np.column_stack([v[i:i + 2] for v in series]), np.array([s - i])).T


def describe(scene: Scene) -> str:
    """The hyperparameters in one line, for the subtitle; a loss function's scene leads with its formula."""
    unit = "epoch" if scene.has_data else "step"
    factors = scene.lr_factors
    if callable(scene.scheduler):   # the scene's own function: its name, unless it is a lambda
        name = getattr(scene.scheduler, "__name__", "")
        schedule = f"lr {scene.lr:g}, " + (f"{name}(optimizer)" if name.isidentifier() else "own schedule")
    elif scene.scheduler != "lambdalr":
        schedule = f"lr {scene.lr:g}, {scene.scheduler}({', '.join(f'{k}={v}' for k, v in scene.scheduler_kwargs.items())})"
    elif all(f == factors[0] for f in factors):
        schedule = f"lr {scene.lr * factors[0]:g}"
    else:
        ratio = factors[2] / factors[1] if len(factors) > 2 and factors[1] else 0.0
        geometric = factors[1] and all(np.isclose(f1, f0 * ratio) for f0, f1 in zip(factors, factors[1:]))
        schedule = f"lr {scene.lr:g} × {ratio:g}^{unit}" if geometric else f"lr {scene.lr:g} × λ({unit})"
    if scene.scheduler_every == "step" and scene.has_data:
        schedule += " per step"
    own = [f"{label(run)} {float(run.kwargs['lr']):g}" for run in scene.runs
           if float(run.kwargs.get("lr", scene.lr)) != scene.lr]
    if own:  # the runs that override the scene's rate
        schedule += f" ({', '.join(own)})"
    start = f"start ({scene.init[0]:g}, {scene.init[1]:g})"
    if scene.is_network:   # no two-parameter start: what it learns, and the plane it is drawn on
        start = f"{scene.data if isinstance(scene.data, str) else 'own data'} · plane {scene.plane!r}"
    if scene.has_data:
        return (f"{schedule} · batch {scene.batch_size} · weight decay {scene.weight_decay:g} · "
                f"{scene.epochs} epochs · {start}")
    parts = [formula_of(scene.loss), schedule]
    if scene.weight_decay:
        parts.append(f"weight decay {scene.weight_decay:g}")
    if scene.grad_noise:
        parts.append(f"gradient noise σ {scene.grad_noise:g}")
    return " · ".join([*parts, f"{scene.n_epochs} steps", start])


def clock(scene: Scene, recording: Recording, landscape: Landscape, fps: int) -> Timeline:
    """The scene's clock at `fps`: its easing, "motion" pacing by how far the runs move across the
    contour window (the whole landscape's, whatever the camera shows)."""
    paths = window_paths(recording.paths.values(), landscape.a[[0, -1]], landscape.b[[0, -1]])
    return timeline(recording.n_steps, scene.duration, scene.hold, fps, scene.easing, paths)


def make_movie(scene: Scene, recording: Recording, landscape: Landscape, timeline: Timeline,
               windows: np.ndarray | None = None) -> Movie:
    """Everything the views draw, computed once: for a data scene, the model's curve for every run at
    every frame (one call each); where the camera looks (`windows`, or its own), and the landscape
    again where it zooms in. A loss function's scene is titled by its name unless it has a title."""
    fit_x, fits, true_curve = fit_curves(scene, recording, timeline) \
        if scene.kind in ("data", "regression") and recording.has_data \
        else (None, {}, None)
    region_grid, regions = network_regions(scene, recording, timeline) if scene.kind == "classes" else (None, None)
    full = whole(landscape.a, landscape.b)
    if windows is None:
        windows = camera_windows([(p.a, p.b) for p in recording.paths.values()], timeline.steps, timeline.fps,
                                 full, scene.zoom)
    close = region(windows, full)
    detail = None if close is None else landscape_over(scene, window=close, recording=recording)
    known = None if scene.has_data else function_of(scene.loss)
    local = tuple((m.a, m.b) for m in known.minima if not m.is_global) if known else ()
    return Movie(title=scene.title or (known.title if known else scene.name), subtitle=describe(scene),
                 recording=recording,
                 landscape=landscape, timeline=timeline, init=start_of(scene, recording), minima=recording.minima,
                 fit_x=fit_x, fits=fits, true_curve=true_curve,
                 camera=Camera(scene.azimuth_start, scene.azimuth_turn, scene.elevation),
                 surface_cmap=scene.surface_cmap, styles=run_styles(recording.paths.values()),
                 windows=windows, detail=detail,
                 local_minima=local, state_focus=scene.state_focus,
                 dashboard_views=tuple(scene.dashboard_views), kind=scene.kind,
                 axis_labels=recording.plane.axis_labels(plane_names(recording))
                 if recording.plane is not None else ("a", "b"),
                 region_grid=region_grid, regions=regions, batches=batch_losses(scene, (landscape, detail)))


def plane_names(recording: Recording) -> dict[str, str]:
    """The runs as a plane's axis labels name them: by label where it is short, else by key ("sgdm"):
    an axis label longer than its axis wraps onto the panel below it in the dashboard."""
    names = {key: path.label.split(" · lr ")[0] for key, path in recording.paths.items()}
    return {key: name if len(name) <= 10 else key for key, name in names.items()}


def start_of(scene: Scene, recording: Recording) -> tuple[float, float]:
    """Where every run starts on screen: the scene's init, or a network's shared start on its plane."""
    if recording.plane is None:
        return tuple(scene.init)
    first = next((p for p in recording.paths.values() if len(p.a)), None)
    return (float(first.a[0]), float(first.b[0])) if first is not None else (0.0, 0.0)


def fit_curves(scene: Scene, recording: Recording,
               timeline: Timeline) -> tuple[np.ndarray, dict[str, np.ndarray], np.ndarray | None]:
    """x of the curves, each run's model curve at each frame, and the true curve (generated data only)."""
    fit_x = np.linspace(recording.x.min(), recording.x.max(), FIT_POINTS)
    if scene.is_network:   # the network's own curve; the data's true curve, where the notebook's
        true_curve = None
        if scene.data in (None, "notebook") and scene.true_params is not None:
            with torch.no_grad():
                true_curve = scene.model(torch.as_tensor(fit_x, dtype=torch.float32),
                                         *(torch.tensor(float(v)) for v in scene.true_params)).numpy()
        return fit_x, network_fits(scene, recording, timeline, fit_x), true_curve
    x = torch.as_tensor(fit_x, dtype=torch.float32)
    fits = {}
    with torch.no_grad():
        for key, path in recording.paths.items():
            if len(path.a) == 0:
                fits[key] = np.full((timeline.n_frames, FIT_POINTS), np.nan)
                continue
            where = heads_at(np.column_stack([path.a, path.b]), timeline.steps)  # between steps too
            a = torch.as_tensor(where[:, 0], dtype=torch.float32)[:, None]
            b = torch.as_tensor(where[:, 1], dtype=torch.float32)[:, None]
            fits[key] = scene.model(x, a, b).numpy().astype(float)
        # With the user's own data there are no true parameters: no true curve.
        true_curve = None
        if recording.minima:
            true_curve = scene.model(x, *(torch.tensor(float(v)) for v in recording.minima[0])).numpy()
    return fit_x, fits, true_curve
