"""The benchmark's network rows: the plane's landscape against a point-by-point loop and against the
machine's matrix-multiply rate, recording a network scene against a plain loop, and recording's memory."""

from __future__ import annotations

import copy
import sys
import time
from pathlib import Path
from typing import Callable

from .benchkit import Row, in_turns, run_measured, verdict

SCENES = Path(__file__).resolve().parent.parent / "scenes"


def mlp_scene(width: int, depth: int, n_samples: int, epochs: int = 1, runs: tuple[str, ...] = ("sgd", "adam"),
              resolution: int = 100, activation: str = "Tanh"):
    """A moons scene with an MLP of `depth` hidden layers of `width` units."""
    from torch import nn

    from .spec.scene import Scene

    def network() -> nn.Module:
        layers, inputs = [], 2
        for _ in range(depth):
            layers += [nn.Linear(inputs, width), getattr(nn, activation)()]
            inputs = width
        return nn.Sequential(*layers, nn.Linear(inputs, 2))

    return Scene(name="bench-net", network=network, data="moons", n_samples=n_samples, test_share=0.0,
                 epochs=epochs, batch_size=32, optimizers=list(runs), resolution=resolution)


def point_loop(scene, recording, landscape) -> float:
    """What loss-landscape-anim does: for each grid point, load its weights into the network and run one
    full forward pass over the data. Returns the seconds it took (its values are checked against ours)."""
    import numpy as np
    import torch
    from torch.nn.utils import vector_to_parameters

    from .spec.network import NetworkFit

    problem = NetworkFit.from_scene(scene)
    net, criterion = copy.deepcopy(problem.start), problem.loss_fn()
    origin, directions = (torch.as_tensor(v) for v in (recording.plane.origin, recording.plane.directions))
    start = time.perf_counter()
    values = np.empty((len(landscape.b), len(landscape.a)))
    with torch.no_grad():
        for j, b in enumerate(landscape.b):
            for i, a in enumerate(landscape.a):
                vector_to_parameters(origin + float(a) * directions[0] + float(b) * directions[1], net.parameters())
                values[j, i] = float(criterion(net(problem.x), problem.y))
    seconds = time.perf_counter() - start
    if not np.allclose(values, landscape.loss, rtol=1e-5, atol=1e-7):
        raise RuntimeError("the point loop's landscape differs from optanim's")
    return seconds


def large_mm() -> tuple[Callable[[], object], float]:
    """One large float32 torch.mm, called eight times, and the floating-point operations it does."""
    import torch

    a, b = torch.randn(2048, 2048), torch.randn(2048, 2048)
    torch.mm(a, b)
    return (lambda: [torch.mm(a, b) for _ in range(8)]), 8 * 2 * 2048 ** 3


def network_flops(scene, n_points: int, n_samples: int) -> float:
    """2 operations per multiply-add of the network's layers, per sample, per grid point."""
    from .spec.network import NetworkFit

    start = NetworkFit.from_scene(scene).start
    macs = sum(p.numel() for p in start.parameters() if p.ndim == 2)
    return 2.0 * macs * n_samples * n_points


def bench_plane(width: int, depth: int, n_samples: int, resolution: int, turns: int, number: int,
                activation: str = "Tanh") -> tuple[Row, Callable[[], object], float]:
    """The row of our landscape against the point loop, timed in turns; our landscape as a call, and the
    point loop's median time."""
    from .data.landscape import landscape
    from .training.recorder import record

    scene = mlp_scene(width, depth, n_samples, resolution=resolution, activation=activation)
    recording = record(scene)
    land = landscape(scene, recording=recording)
    ours = lambda: landscape(scene, recording=recording)   # noqa: E731
    mine, theirs, ratio = in_turns(ours, lambda: point_loop(scene, recording, land), turns)
    params = next(iter(recording.paths.values())).weights.shape[1]
    return Row(f"{number} plane landscape {resolution}x{resolution}, {activation} MLP of {params:,} weights on "
               f"{n_samples:,} samples",
               f"{mine:.2f} s", f"{theirs:.2f} s point loop", f"{ratio:.1f}x", ">= 5x",
               verdict(ratio >= 5)), ours, theirs


def bench_networks(quick: bool, repeat: int) -> list[Row]:
    """Rows 12-15."""
    resolution = 20 if quick else 100
    # ReLU: torch's tanh costs 1.5 ns an element here, as much as the multiply-adds that feed it, in the
    # point loop; a row with tanh would measure the activation, not the products
    small, _, _ = bench_plane(16, 2, 1000, resolution, repeat, 12, activation="ReLU")   # ~300: loss-landscape-anim's size
    # 2-96-96-2: ~10,000 weights; torch.mm's rate measured in turns with ours, each turn's ratio counted
    width, depth = (96, 2)
    _, ours, point_seconds = bench_plane(width, depth, 1000, resolution, 1, 13, activation="ReLU")
    mm, mm_flops = large_mm()
    seconds, mm_seconds, ratio = in_turns(ours, mm, max(3, repeat))
    flops = network_flops(mlp_scene(width, depth, 1000, resolution=resolution, activation="ReLU"), resolution ** 2, 1000)
    achieved = flops / mm_flops * ratio   # each turn's rate over torch.mm's, the median of them
    large = Row(f"13 plane landscape {resolution}x{resolution}, ReLU MLP of 9,794 weights on 1,000 samples "
                f"({seconds:.2f} s; point loop {point_seconds:.2f} s)",
                f"{flops / seconds / 1e9:.1f} GFLOP/s", f"{mm_flops / mm_seconds / 1e9:.1f} GFLOP/s torch.mm",
                f"{achieved:.2f}", ">= 0.5", verdict(achieved >= 0.5))
    return [small, large, bench_network_recording(quick, repeat), bench_network_memory(quick)]


def bench_network_recording(quick: bool, repeat: int) -> Row:
    """Recording scenes/net-moons.py against the plain loop of its runs (zero_grad, backward, step)."""
    from dataclasses import replace

    from .scenefile import load_scene
    from .spec.network import NetworkFit
    from .training.network import network_optimizer
    from .training.recorder import record

    scene = load_scene(SCENES / "net-moons.py")
    if quick:
        scene = replace(scene, epochs=3)
    problem = NetworkFit.from_scene(scene)

    def plain() -> None:
        criterion = problem.loss_fn()
        for run in scene.runs:
            net = copy.deepcopy(problem.start)
            optimizer = network_optimizer(run, net, scene)
            for epoch in range(problem.epochs):
                for xb, yb in problem.batches(epoch):
                    optimizer.zero_grad()
                    criterion(net(xb), yb).backward()
                    optimizer.step()

    plain()   # imports and first calls outside the timing, for both
    record(scene)
    theirs, ours, ratio = in_turns(plain, lambda: record(scene), repeat)
    return Row("14 record scenes/net-moons.py (plane, every step's loss over all data)", f"{ours:.2f} s",
               f"{theirs:.2f} s plain loop", f"{ratio:.2f}x", "<= 1.3x", verdict(ratio <= 1.3))


_MEMORY_SCRIPT = """
import sys
from optanim.bench_network import mlp_scene
from optanim.training.recorder import record
from dataclasses import replace
width, epochs = int(sys.argv[1]), int(sys.argv[2])
scene = replace(mlp_scene(width, 2, 320, epochs=epochs, runs=("sgd", "sgdm", "adam", "rmsprop")), test_share=0.0)
record(scene)
"""


def bench_network_memory(quick: bool) -> Row:
    """Peak RSS recording a ~10,000-weight network for 10,000 steps × 4 runs, against the same for 100 steps."""
    width, steps = (96, 10_000) if not quick else (16, 200)
    epochs = steps // 10   # 320 samples in batches of 32: 10 steps an epoch
    seconds, large = run_measured([sys.executable, "-c", _MEMORY_SCRIPT, str(width), str(epochs)])
    _, small = run_measured([sys.executable, "-c", _MEMORY_SCRIPT, str(width), "10"])
    return Row(f"15 peak RSS recording ~10,000 weights x {steps:,} steps x 4 runs ({seconds:.0f} s)",
               f"{large:.0f} MB", f"{small:.0f} MB at 100 steps", f"{large / small:.2f}x", "<= 1.5 GB",
               verdict(large <= 1500))

