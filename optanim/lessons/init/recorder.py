"""The notebook's last section: how the initial σ of a deep net's weights decides whether the signal
vanishes, explodes or stays steady, measured on a real net built with `torch.nn.init`.

Pure computation: a scene in, plain numpy arrays out; the drawing is in lessons/init/view.py.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
import numpy as np
import torch
from torch import nn

from ...errors import OptanimError
from ...training.device import resolve_device
from .scene import HIST_BINS, HIST_LIMIT, SCHEMES, InitScene


@dataclass(frozen=True)
class InitRecording:
    """Per (activation a, scheme s, layer l): what flowed forward and back. Layer 0 is the input."""

    schemes: tuple[str, ...]
    activations: tuple[str, ...]
    width: int
    negative_slope: float
    edges: np.ndarray           # (bins + 1,) histogram edges over ±HIST_LIMIT
    gain: np.ndarray            # (a,) nn.init.calculate_gain of each activation
    sigma: np.ndarray           # (a, s) σ the scheme's formula gives
    weight_std: np.ndarray      # (a, s, depth) std of the weights torch drew, layer 1..depth
    act_std: np.ndarray         # (a, s, depth + 1) std of each layer's output
    grad_std: np.ndarray        # (a, s, depth + 1) std of d loss / d layer output
    act_hist: np.ndarray        # (a, s, depth + 1, bins) share of values per bin; beyond ±HIST_LIMIT
    grad_hist: np.ndarray       # counts in the end bins
    act_beyond: np.ndarray      # (a, s, depth + 1) share of values beyond ±HIST_LIMIT
    grad_beyond: np.ndarray

    @property
    def depth(self) -> int:
        return self.act_std.shape[-1] - 1


def activation_gain(activation: str, negative_slope: float = 0.01) -> float:
    """torch's recommended gain: 5/3 for tanh, √2 for ReLU, √(2/(1+a²)) for leaky ReLU, 1 for sigmoid."""
    return nn.init.calculate_gain(activation, negative_slope if activation == "leaky_relu" else None)


def formula_sigma(scheme: str, activation: str, fan_in: int, fan_out: int,
                  negative_slope: float = 0.01) -> float:
    """The σ each rule prescribes, written out as the notebook writes it."""
    gain = activation_gain(activation, negative_slope)
    if scheme == "default":
        # nn.Linear: kaiming_uniform_(a=√5) is U(±1/√fan_in), whose std is 1/√(3·fan_in).
        return 1.0 / math.sqrt(3.0 * fan_in)
    if scheme == "normal":
        return 1.0
    if scheme == "xavier":
        return gain * math.sqrt(2.0 / (fan_in + fan_out))
    if scheme == "kaiming":
        # For leaky ReLU, gain/√fan_in is the notebook's √(2/((1+a²)·fan_in)).
        return gain / math.sqrt(fan_in)
    raise OptanimError(f"scheme: {scheme!r} is not allowed; allowed: {', '.join(SCHEMES)}")


def init_layer(layer: nn.Linear, scheme: str, activation: str, negative_slope: float = 0.01) -> None:
    """Initialise one layer the way the scheme does, with the real torch.nn.init functions."""
    if scheme == "default":
        layer.reset_parameters()
        return
    with torch.no_grad():
        if scheme == "normal":
            nn.init.normal_(layer.weight, 0.0, 1.0)
        elif scheme == "xavier":
            nn.init.xavier_normal_(layer.weight, gain=activation_gain(activation, negative_slope))
        else:
            nn.init.kaiming_normal_(layer.weight, a=negative_slope, nonlinearity=activation)
        # Xavier and Kaiming derive σ for zero biases; nn.Linear's default bias is part of "default" only.
        nn.init.zeros_(layer.bias)


ACTIVATION_FUNCTIONS = {"tanh": torch.tanh, "relu": torch.relu, "sigmoid": torch.sigmoid}


def _histogram(values: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Share of values per bin (those beyond ±HIST_LIMIT counted in the end bins), and that share."""
    counts = torch.histc(values.clamp(-HIST_LIMIT, HIST_LIMIT), bins=HIST_BINS,
                         min=-HIST_LIMIT, max=HIST_LIMIT)
    return counts / values.numel(), (values.abs() > HIST_LIMIT).double().mean()


def record_init(scene: InitScene) -> InitRecording:
    """Run every (activation, scheme) net forward on the same inputs and back from the same gradient."""
    device = resolve_device(scene.device)
    width, depth = scene.width, scene.depth
    shape = (len(scene.activations), len(scene.schemes))
    stats = {key: [] for key in ("weight_std", "act_std", "grad_std", "act_hist", "grad_hist",
                                 "act_beyond", "grad_beyond")}
    # The scene's seed without disturbing the caller's random state.
    with torch.random.fork_rng(devices=[device] if device.type == "cuda" else []):
        torch.manual_seed(scene.seed)
        inputs = torch.randn(scene.batch, width, device=device, dtype=torch.float64)
        # The loss Σ output·r sends a standard-normal gradient r into the output, so the backward
        # curves start at std 1, as the forward ones do.
        upstream = torch.randn(scene.batch, width, device=device, dtype=torch.float64)
        for activation in scene.activations:
            act = ACTIVATION_FUNCTIONS.get(activation) or (
                lambda z: torch.nn.functional.leaky_relu(z, scene.negative_slope))
            for scheme in scene.schemes:
                # float64: N(0, 1) grows by ~√width per layer and must stay finite to the last one.
                layers = [nn.Linear(width, width, device=device, dtype=torch.float64) for _ in range(depth)]
                for layer in layers:
                    init_layer(layer, scheme, activation, scene.negative_slope)
                outputs = [inputs.clone().requires_grad_(True)]
                for layer in layers:
                    outputs.append(act(layer(outputs[-1])))
                    outputs[-1].retain_grad()
                (outputs[-1] * upstream).sum().backward()
                hists = [_histogram(h.detach()) for h in outputs]
                grads = [_histogram(h.grad) for h in outputs]
                stats["weight_std"].append(torch.stack([layer.weight.detach().std() for layer in layers]))
                stats["act_std"].append(torch.stack([h.detach().std() for h in outputs]))
                stats["grad_std"].append(torch.stack([h.grad.std() for h in outputs]))
                for key, pairs in (("act", hists), ("grad", grads)):
                    stats[f"{key}_hist"].append(torch.stack([share for share, _ in pairs]))
                    stats[f"{key}_beyond"].append(torch.stack([beyond for _, beyond in pairs]))
    # One copy to the host at the end: no device sync per layer.
    arrays = {key: torch.stack(values).cpu().numpy().reshape(*shape, *values[0].shape)
              for key, values in stats.items()}
    return InitRecording(
        schemes=tuple(scene.schemes), activations=tuple(scene.activations), width=width,
        negative_slope=float(scene.negative_slope),
        edges=np.linspace(-HIST_LIMIT, HIST_LIMIT, HIST_BINS + 1),
        gain=np.array([activation_gain(a, scene.negative_slope) for a in scene.activations]),
        sigma=np.array([[formula_sigma(s, a, width, width, scene.negative_slope) for s in scene.schemes]
                        for a in scene.activations]),
        **arrays)
