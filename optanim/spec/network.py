"""A real network's problem: train a torch.nn.Module on data by mini-batches of a criterion.

Its weights are a vector of P numbers; the views draw two. The recorder trains the real module; this
problem evaluates the loss of many weight vectors at once (the landscape on a plane through weight
space, the loss over all data at every step), one batched forward pass per chunk of weight vectors.
"""

from __future__ import annotations

import copy
import hashlib
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Callable, Iterator

import numpy as np
import torch
from torch.func import functional_call, vmap

from ..errors import OptanimError
from .checks import source_of
from .datasets import MiniBatches, batch_order
from .stacked import at_weights, layers_of, on_plane
from .netchecks import build, check_output, criterion_name, samples_of, test_split

if TYPE_CHECKING:
    from .scene import Scene

#: Floats of activations per chunk of a batched forward pass: large enough for the matrix products
#: to run at full rate, small enough to stay in cache between the layers.
CHUNK_FLOATS = 1 << 21


def criterion_of(name: str) -> Callable[[torch.Tensor, torch.Tensor], torch.Tensor]:
    """The criterion as torch.nn.functional computes it (mean over the samples)."""
    f = torch.nn.functional
    if name == "cross_entropy":
        return f.cross_entropy
    if name == "bce":
        return lambda out, y, reduction="mean": f.binary_cross_entropy_with_logits(
            out.reshape(-1), y.reshape(-1).to(out.dtype), reduction=reduction)
    return f.mse_loss


def predicted(out: torch.Tensor) -> torch.Tensor:
    """The class each output row says: the largest logit, or for one logit (bce) whether it is positive."""
    return (out[..., 0] > 0).long() if out.shape[-1] == 1 else out.argmax(-1)


@dataclass(frozen=True)
class NetworkFit(MiniBatches):
    """Mini-batches of the criterion on the training samples; `start` is the network every run copies."""

    start: torch.nn.Module
    x: torch.Tensor               # training inputs (N, d)
    y: torch.Tensor               # class indices (N,) or targets (N, k)
    x_test: torch.Tensor
    y_test: torch.Tensor
    order: torch.Tensor           # epochs × N: each epoch's shuffled indices
    batch_size: int
    criterion: str
    source: str                   # the network factory's source text, for the cache key
    plane: Any = None             # data.plane.Plane once known: then full_loss(a, b) is the loss on it

    @classmethod
    def from_scene(cls, scene: Scene) -> NetworkFit:
        samples = samples_of(scene)
        test = test_split(scene, len(samples.x))
        train = torch.ones(len(samples.x), dtype=torch.bool)
        train[test] = False
        torch.manual_seed(scene.seed)   # the start: network() as the seed builds it, the same for every run
        start = build(scene)
        check_output(start, samples, criterion_name(scene, samples))
        n_train = int(train.sum())
        return cls(start=start, x=samples.x[train], y=samples.y[train], x_test=samples.x[test],
                   y_test=samples.y[test], order=batch_order(scene, n_train), batch_size=scene.batch_size,
                   criterion=criterion_name(scene, samples), source=source_of(scene.network))

    # -- what the recorder and the views ask of every problem --------------------------------------
    @property
    def minima(self) -> tuple[tuple[float, float], ...]:
        return ()

    @property
    def classes(self) -> bool:
        return not self.y.is_floating_point()

    @property
    def n_params(self) -> int:
        return sum(p.numel() for p in self.start.parameters())

    def to(self, device: torch.device) -> NetworkFit:
        moved = {name: getattr(self, name).to(device) for name in ("x", "y", "x_test", "y_test", "order")}
        return replace(self, start=copy.deepcopy(self.start).to(device), **moved)

    def on_plane(self, plane: Any) -> NetworkFit:
        """This problem whose full_loss(a, b) is the loss at origin + a·d₁ + b·d₂ (the landscape's)."""
        return replace(self, plane=plane)

    def batches(self, epoch: int) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        """The epoch's mini-batches (xb, yb), in the order every run sees them."""
        x_epoch, y_epoch = self.x[self.order[epoch]], self.y[self.order[epoch]]
        for first in range(0, len(self.x), self.batch_size):
            yield x_epoch[first:first + self.batch_size], y_epoch[first:first + self.batch_size]

    def loss_fn(self) -> Callable[[torch.Tensor, torch.Tensor], torch.Tensor]:
        return criterion_of(self.criterion)

    def full_loss(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        """The loss over all training samples at each (a[k], b[k]) on the plane."""
        if self.plane is None:
            raise OptanimError("landscape: a network scene's landscape lies on its recording's plane; "
                               "pass recording=")
        here = self if self.x.device == a.device else self.to(a.device)   # where the grid is: the GPU, say
        origin, directions = (torch.as_tensor(v, dtype=torch.float32, device=a.device)
                              for v in (self.plane.origin, self.plane.directions))
        ab = torch.stack([a.reshape(-1), b.reshape(-1)], 1).to(a.device, torch.float32)
        return here.losses(ab, here.x, here.y, origin, directions)[0]

    def losses(self, coords: torch.Tensor, x: torch.Tensor, y: torch.Tensor, origin: torch.Tensor | None = None,
               directions: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor | None]:
        """The criterion over (x, y), and for classes the accuracy, at each weight vector: coords[k] itself,
        or origin + coords[k] @ directions on a plane (coords (K, 2), directions (2, P)); one batched
        forward pass per chunk of K, so memory stays bounded however many points. A plain MLP goes through
        stacked matrix products (spec/stacked.py), any other module through torch.func.vmap."""
        layers = layers_of(self.start)
        if layers is not None:
            if directions is None:
                return at_weights(layers, self.loss_fn(), coords, x, y, self.classes)
            return on_plane(layers, self.loss_fn(), origin, directions, coords, x, y, self.classes)
        width = max(max(p.shape) for p in self.start.parameters())
        rows = max(1, CHUNK_FLOATS // max(1, len(x) * width))
        criterion = self.loss_fn()

        def one(weights: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
            out = functional_call(self.start, self.parameters_of(weights), (x,))
            hits = (predicted(out) == y).float().mean() if self.classes else out.new_zeros(())
            return criterion(out, y), hits

        batched = vmap(one)
        loss, accuracy = [], []
        with torch.no_grad():
            for first in range(0, len(coords), rows):
                chunk = coords[first:first + rows]
                weights = chunk if directions is None else origin + chunk @ directions
                part_loss, part_acc = batched(weights)
                loss.append(part_loss)
                accuracy.append(part_acc)
        empty = torch.empty(0, device=x.device)
        return (torch.cat(loss) if loss else empty), ((torch.cat(accuracy) if accuracy else empty)
                                                      if self.classes else None)

    def outputs(self, weights: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        """The network's outputs on inputs x (M, d) for each weight vector (K, P): (K, M, out)."""
        with torch.no_grad():
            return vmap(lambda w: functional_call(self.start, self.parameters_of(w), (x,)))(weights)

    def parameters_of(self, weights: torch.Tensor) -> dict[str, torch.Tensor]:
        """One weight vector (P,), in parameters_to_vector's order, as the network's named parameters."""
        names, shapes = zip(*[(name, p.shape) for name, p in self.start.named_parameters()])
        parts = torch.split(weights, [shape.numel() for shape in shapes])
        return {name: part.reshape(shape) for name, part, shape in zip(names, parts, shapes)}

    def arrays(self) -> dict[str, Any]:
        """What a Recording keeps: the training and test samples and the batches (1-D inputs flat, as the
        two-parameter scenes keep them, so the fit view draws the network's curve over them)."""
        flat = (lambda v: v.reshape(-1)) if self.x.shape[1] == 1 and self.y.ndim == 2 and self.y.shape[1] == 1 \
            else (lambda v: v)
        return {"x": flat(self.x).cpu().numpy(), "y": flat(self.y).cpu().numpy(),
                "x_test": flat(self.x_test).cpu().numpy(), "y_test": flat(self.y_test).cpu().numpy(),
                "order": self.order.cpu().numpy(), "batch_size": self.batch_size,
                "task": "classes" if self.classes else "regression"}

    def contour_levels(self, loss: np.ndarray) -> tuple[float, ...]:
        """Log-spaced from just above the plane's lowest loss: a network's loss spans decades."""
        finite = loss[np.isfinite(loss)]
        low, high = max(float(finite.min()), 1e-6), float(np.percentile(finite, 95))
        if high <= low * 1.01:
            return tuple(np.linspace(low, low * 1.1 + 1e-6, 8))
        # as few significant figures as keep the levels apart: a label a student reads at a glance
        # ("0.073", not "0.0731893"), and more only where the plane is that flat (a random plane's often is)
        # log-spaced where the loss spans a factor of 2 or more, else evenly (log spacing from just above
        # the lowest would crowd every level at the top)
        spaced = np.geomspace(low * 1.02, high, 14) if high >= 2 * low else np.linspace(low, high, 15)[1:]
        for figures in range(2, 8):
            rounded = sorted({float(f"{v:.{figures}g}") for v in spaced})
            if len(rounded) >= 10:
                break
        return tuple(rounded)

    def floor(self, loss: np.ndarray) -> float | None:
        return None

    def fingerprint(self) -> dict[str, Any]:
        digest = hashlib.sha256()
        for tensor in (self.x, self.y, self.x_test, self.y_test, self.order,
                       *(p.detach() for p in self.start.parameters())):
            digest.update(tensor.cpu().contiguous().numpy().tobytes())
        return {"kind": "network", "data": digest.hexdigest(), "batch_size": self.batch_size,
                "criterion": self.criterion, "network": self.source, "module": repr(self.start)}
