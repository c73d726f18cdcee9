"""The notebook's problem: fit y = f(x, a, b) to data by mini-batch MSE (f = sin(b·cos(a·x)) by default)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Callable, Iterator

import numpy as np
import torch

from .checks import source_of
from .datasets import MiniBatches, batch_order, make_data

if TYPE_CHECKING:
    from .scene import Scene

#: The notebook's CONTOUR_LEVELS: fine near the minimum, coarse on the hills.
NOTEBOOK_LEVELS = tuple(float(v) for v in np.concatenate((
    np.linspace(0, 0.1, 5, endpoint=False), np.linspace(0.1, 1, 4, endpoint=False),
    np.linspace(1, 2, 5, endpoint=False), np.linspace(2, 4, 5))))
#: Elements (points × samples) per chunk of a full-data loss: bounds memory however many points, and
#: keeps each of the chunk's passes in cache (1 MB temporaries): 2.4x faster than 16 MB ones.
CHUNK_ELEMENTS = 1 << 18

StepLoss = Callable[[torch.Tensor], torch.Tensor]


@dataclass(frozen=True)
class DataFit(MiniBatches):
    """Mini-batch MSE of model(x, a, b) against y; every run sees the same batches in `order`."""

    model: Callable[..., torch.Tensor]
    x: torch.Tensor
    y: torch.Tensor
    order: torch.Tensor          # epochs × n_samples
    batch_size: int
    true_params: tuple[float, float] | None   # where the data came from; None for the user's own data

    @classmethod
    def from_scene(cls, scene: Scene) -> DataFit:
        x, y = make_data(scene)
        own = scene.data is not None
        return cls(model=scene.model, x=x, y=y, order=batch_order(scene, len(x)), batch_size=scene.batch_size,
                   true_params=None if own or scene.true_params is None else tuple(scene.true_params))

    @property
    def minima(self) -> tuple[tuple[float, float], ...]:
        """Points to mark as the answer: the true parameters the data were drawn from."""
        return (self.true_params,) if self.true_params else ()

    def to(self, device: torch.device) -> DataFit:
        return replace(self, x=self.x.to(device), y=self.y.to(device), order=self.order.to(device))

    def epoch_steps(self, epoch: int) -> Iterator[StepLoss]:
        """Each step's loss, as a function from parameter rows (R, 2) to each row's loss (R,).

        Each row's loss is computed exactly as F.mse_loss computes it alone, so summing the rows
        and calling backward() hands every row the gradient it would get on its own."""
        # One gather per epoch; each batch is then a cheap slice of it.
        x_epoch, y_epoch = self.x[self.order[epoch]], self.y[self.order[epoch]]
        for start in range(0, len(self.x), self.batch_size):
            xb, yb = x_epoch[start:start + self.batch_size], y_epoch[start:start + self.batch_size]
            yield lambda ab, xb=xb, yb=yb: ((self.model(xb, ab[:, :1], ab[:, 1:]) - yb) ** 2).mean(dim=1)

    def full_loss(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        """MSE over all samples at each (a[k], b[k]); one broadcast call per chunk of points."""
        x, y = self.x.to(a.device), self.y.to(a.device)
        a, b = a.reshape(-1, 1), b.reshape(-1, 1)
        rows = max(1, CHUNK_ELEMENTS // max(1, x.numel()))
        # Each chunk straight into one output: small results kept between the chunks' large temporaries
        # fragment the heap, and memory grew with the points (2 GB for 3 million of them).
        out = torch.empty(0, device=a.device)
        with torch.no_grad():
            for i in range(0, a.shape[0], rows):
                part = ((self.model(x, a[i:i + rows], b[i:i + rows]) - y) ** 2).mean(dim=-1)
                if i == 0:   # the model's own dtype, as it returns it
                    out = torch.empty(a.shape[0], dtype=part.dtype, device=part.device)
                out[i:i + rows] = part
        return out

    def sample_losses(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        """(samples, points): each sample's squared error at each (a[k], b[k]). A mini-batch's loss at
        every point is then the mean of its samples' rows. Chunked over the points as full_loss is, so
        that the temporaries stay small; the chunks' results are the table itself."""
        x, y = self.x.to(a.device), self.y.to(a.device)
        rows = max(1, CHUNK_ELEMENTS // max(1, x.numel()))
        with torch.no_grad():
            return torch.cat([((self.model(x, a_part[:, None], b_part[:, None]) - y) ** 2).T
                              for a_part, b_part in zip(a.reshape(-1).split(rows), b.reshape(-1).split(rows))], dim=1)

    def arrays(self) -> dict[str, Any]:
        """What a Recording keeps of the problem: the data and the batches, as numpy."""
        return {"x": self.x.cpu().numpy(), "y": self.y.cpu().numpy(), "order": self.order.cpu().numpy(),
                "batch_size": self.batch_size}

    def contour_levels(self, loss: np.ndarray) -> tuple[float, ...]:
        """The notebook's levels, whatever the grid: its lessons were drawn with them."""
        return NOTEBOOK_LEVELS

    def floor(self, loss: np.ndarray) -> float | None:
        """A squared error has a floor: the 3D surface shows it all the way down."""
        return None

    def fingerprint(self) -> dict[str, Any]:
        """All a recording depends on in the problem (with the model's probe values: closures too)."""
        import hashlib

        digest = hashlib.sha256(self.x.numpy().tobytes() + self.y.numpy().tobytes()
                                + self.order.numpy().tobytes()).hexdigest()
        return {"kind": "datafit", "data": digest, "batch_size": self.batch_size,
                "model": [source_of(self.model), _probe(self.model)]}


def _probe(model: Callable[..., torch.Tensor]) -> list[float]:
    """The model's values at fixed points: catches closures and constants that source text hides."""
    x = torch.linspace(-2, 2, 7)
    ab = torch.tensor([[-1.3, 0.7], [0.5, 2.5], [3.1, -2.2]])
    with torch.no_grad():
        return [float(v) for v in np.ravel(model(x, ab[:, :1], ab[:, 1:]))]
