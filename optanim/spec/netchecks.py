"""A network scene's fields checked together, and what both the checks and the problem need: its samples,
its held-out share, its criterion and its start network. The scene is passed in, never imported: the
Scene imports this module to validate itself."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import torch

from ..errors import OptanimError
from .datasets import CLASS_DATA, DATA_NAMES, Samples, generate, make_data, own_samples

CRITERIA = ("mse", "cross_entropy", "bce")
PLANES = ("ends", "pca", "random")
#: The memory a recording may use; a network too large for its runs' least record is refused.
MEMORY_LIMIT = 1.5e9
#: Weight rows every run keeps at least (start, end and the steps between for the plane).
MIN_KEPT = 16


def network_task(scene: Any) -> str:
    """"classes" or "regression", from the data alone (no network is built)."""
    if scene.data is None or isinstance(scene.data, str):
        return "classes" if scene.data in CLASS_DATA else "regression"
    return "classes" if own_samples(scene.data).classes else "regression"


def samples_of(scene: Any) -> Samples:
    data = "notebook" if scene.data is None else scene.data
    if isinstance(data, str):
        return generate(data, scene.n_samples, scene.noise_std, scene.seed, lambda: make_data_notebook(scene))
    return own_samples(data)


def make_data_notebook(scene: Any) -> tuple[torch.Tensor, torch.Tensor]:
    """The notebook's 200 noisy samples of sin(b·cos(a·x)), drawn as its two-parameter scenes draw them."""
    return make_data(replace(scene, data=None, network=None))


def test_split(scene: Any, n: int) -> torch.Tensor:
    """The held-out samples' indices: a seeded share of them, the same for every run."""
    n_test = int(round(n * scene.test_share))
    generator = torch.Generator().manual_seed(scene.seed + 2)
    return torch.randperm(n, generator=generator)[:n_test]


def criterion_name(scene: Any, samples: Samples) -> str:
    """The scene's criterion, or the data's natural one: cross-entropy for classes, MSE for values."""
    return scene.criterion or ("cross_entropy" if samples.classes else "mse")


def build(scene: Any) -> torch.nn.Module:
    """network() with its error as one line (the scene loader adds the scene file's line)."""
    try:
        net = scene.network()
    except Exception as error:   # the user's code: any error is theirs, said in one line with its line
        raise OptanimError(f"network: network() raised {type(error).__name__}: {error}{user_line(error)}") from None
    if not isinstance(net, torch.nn.Module):
        raise OptanimError(f"network: must return a torch.nn.Module, returned {type(net).__name__}")
    if not any(True for _ in net.parameters()):
        raise OptanimError("network: the module has no parameters to train")
    return net


def check_output(net: torch.nn.Module, samples: Samples, criterion: str) -> None:
    """The network's output must fit the data and the criterion: say which shapes where it does not."""
    probe_x, probe_y = samples.x[:4], samples.y[:4]
    try:
        with torch.no_grad():
            out = net(probe_x)
    except Exception as error:
        raise OptanimError(f"network: the module cannot take the data's inputs of shape (N, {samples.x.shape[1]}): "
                           f"{type(error).__name__}: {error}") from None
    n_classes = int(samples.y.max()) + 1 if samples.classes else 0
    if criterion == "cross_entropy":
        if not samples.classes:
            raise OptanimError("criterion: cross_entropy needs class labels (integer y); this data has values: "
                               "use mse")
        if out.ndim != 2 or out.shape[1] < n_classes:
            raise OptanimError(f"network: for cross_entropy on {n_classes} classes the output must be (N, {n_classes}), "
                               f"got {tuple(out.shape)}")
    elif criterion == "bce":
        if not samples.classes or n_classes > 2:
            raise OptanimError("criterion: bce needs two classes (y of 0 and 1)")
        if out.numel() != len(probe_x):
            raise OptanimError(f"network: for bce the output must be (N, 1), got {tuple(out.shape)}")
    else:
        if samples.classes:
            raise OptanimError("criterion: mse needs target values (float y); this data has classes: "
                               "use cross_entropy or bce")
        if tuple(out.shape) != tuple(probe_y.shape):
            raise OptanimError(f"network: for mse the output must match the targets' shape (N, {probe_y.shape[1]}), "
                               f"got {tuple(out.shape)}")


def check_network(scene: Any, runs: tuple, defaults: dict[str, Any]) -> None:
    """A network scene's own fields; data, network and criterion together (builds the network once)."""
    if not callable(scene.network):
        raise OptanimError("network: must be a function with no arguments that returns a torch.nn.Module, "
                           "e.g. lambda: nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 2))")
    if scene.loss is not None:
        raise OptanimError("network: a scene trains a network or minimises a loss function, not both; "
                           "drop loss or network")
    for name in ("model", "init", "starts"):
        if getattr(scene, name) != defaults[name]:
            raise OptanimError(f"{name}: a network scene trains network()'s weights from its own start; drop {name}")
    if isinstance(scene.data, str) and scene.data not in DATA_NAMES:
        raise OptanimError(f"data: unknown data set {scene.data!r}; allowed: {', '.join(DATA_NAMES)} or (X, y)")
    if scene.criterion and scene.criterion not in CRITERIA:
        raise OptanimError(f"criterion: unknown criterion {scene.criterion!r}; allowed: {', '.join(CRITERIA)}")
    if not (isinstance(scene.test_share, (int, float)) and 0 <= scene.test_share < 1):
        raise OptanimError(f"test_share: must be at least 0 and below 1, got {scene.test_share!r}")
    if scene.plane not in PLANES:
        raise OptanimError(f"plane: unknown plane {scene.plane!r}; allowed: {', '.join(PLANES)}")
    keys = [run.key for run in runs]
    if scene.plane_runs is not None:
        wanted = 1 if scene.plane == "random" else 2
        chosen = (scene.plane_runs,) if isinstance(scene.plane_runs, str) else tuple(scene.plane_runs)
        if len(chosen) != wanted or len(set(chosen)) != wanted:
            raise OptanimError(f"plane_runs: plane={scene.plane!r} takes {wanted} different run(s), got {scene.plane_runs!r}")
        for key in chosen:
            if key not in keys:
                raise OptanimError(f"plane_runs: {key!r} is not a run of this scene; allowed: {', '.join(keys)}")
    samples = samples_of(scene)
    n_train = len(samples.x) - int(round(len(samples.x) * scene.test_share))
    if scene.batch_size > n_train:
        raise OptanimError(f"batch_size: {scene.batch_size} is larger than the training data ({n_train} samples)")
    torch.manual_seed(scene.seed)
    net = build(scene)
    check_output(net, samples, criterion_name(scene, samples))
    n_params = sum(p.numel() for p in net.parameters())
    need = n_params * 4 * len(runs) * (MIN_KEPT + 6)   # kept rows, and each run's module, grads and state
    if need > MEMORY_LIMIT:
        raise OptanimError(f"network: {n_params:,} parameters × {len(runs)} runs need about {need / 1e9:.1f} GB "
                           f"to record; the limit is {MEMORY_LIMIT / 1e9:.1f} GB: use a smaller network or fewer runs")


def user_line(error: BaseException) -> str:
    """" (at file:line)" of the innermost frame of the user's own code (not torch's, not optanim's)."""
    import traceback
    from pathlib import Path

    ours = (Path(__file__).resolve().parents[1], Path(torch.__file__).resolve().parent)
    frames = [frame for frame in traceback.extract_tb(error.__traceback__)
              if not any(Path(frame.filename).resolve().is_relative_to(root) for root in ours)]
    return f" (at {frames[-1].filename}:{frames[-1].lineno})" if frames else ""
