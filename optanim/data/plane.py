"""A plane through a network's weight space, and the paths projected onto it.

The views draw two coordinates. For a network they are the orthogonal projection of its weights onto a
plane: origin + a·d₁ + b·d₂ with orthonormal d₁, d₂. A point off the plane is drawn where its projection
falls, and its real loss differs from the plane's loss there: `off_plane` says how far it is.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from ..errors import OptanimError


@dataclass(frozen=True)
class Plane:
    """origin (P,), orthonormal directions (2, P), how it was chosen, and through which runs.
    For "pca", `explained` is the share of the weights' variance along each direction."""

    origin: np.ndarray
    directions: np.ndarray
    kind: str
    runs: tuple[str, ...] = ()
    explained: tuple[float, float] | None = None

    def __repr__(self) -> str:
        through = f" through {', '.join(self.runs)}" if self.runs else ""
        share = f", explaining {self.explained[0]:.0%} and {self.explained[1]:.0%}" if self.explained else ""
        return f"Plane({self.kind!r}{through}, {self.origin.size} weights{share})"

    def axis_labels(self, names: dict[str, str] | None = None) -> tuple[str, str]:
        """What the a and b axes are, for a student; `names`: the runs' labels by key."""
        name = (names or {}).get
        if self.kind == "pca" and self.explained:
            return (f"PC1 ({self.explained[0]:.0%} of variance)", f"PC2 ({self.explained[1]:.0%} of variance)")
        if self.kind == "ends":
            first = f"towards {name(self.runs[0], self.runs[0])}'s end"
            return (first, f"towards {name(self.runs[1], self.runs[1])}'s end" if len(self.runs) > 1
                    else "across its path")
        return ("random direction 1", "random direction 2")


def orthonormal(first: torch.Tensor, second: torch.Tensor, what: str) -> torch.Tensor:
    """(2, P): first normalised, second made orthogonal to it (Gram-Schmidt, twice for float32) and normalised."""
    norm = first.norm()
    if not torch.isfinite(norm) or norm == 0:
        raise OptanimError(f"plane: {what}: the first direction has length 0 (a run that never moved?)")
    d1 = first / norm
    d2 = second - (second @ d1) * d1
    d2 = d2 - (d2 @ d1) * d1
    if d2.norm() <= 1e-6 * second.norm().clamp_min(1e-30):
        raise OptanimError(f"plane: {what}: the two directions are parallel; choose other plane_runs or plane='pca'")
    return torch.stack([d1, d2 / d2.norm()])


def ends_plane(start: torch.Tensor, ends: dict[str, torch.Tensor], chosen: tuple[str, ...] | None,
               paths: dict[str, torch.Tensor]) -> Plane:
    """Through the shared start and two runs' ends (default: the two whose ends lie farthest apart), so
    both paths end exactly on it; the start is its origin. With one run: its end and its path's widest
    spread across that line."""
    if chosen is None:
        keys = list(ends)
        pairs = [(float((ends[p] - ends[q]).norm()), p, q) for i, p in enumerate(keys) for q in keys[i + 1:]]
        chosen = (max(pairs)[1], max(pairs)[2]) if pairs else tuple(keys[:1])
    if len(chosen) == 2:
        directions = orthonormal(ends[chosen[0]] - start, ends[chosen[1]] - start, "ends")
    else:
        moved = paths[chosen[0]] - start
        along = moved[-1] / moved[-1].norm().clamp_min(1e-30)
        across = moved - (moved @ along)[:, None] * along
        directions = orthonormal(moved[-1], across[int(across.norm(dim=1).argmax())], "ends")
    return Plane(origin=start.cpu().numpy(), directions=directions.cpu().numpy(), kind="ends", runs=tuple(chosen))


def pca_plane(rows: torch.Tensor) -> Plane:
    """The top two principal directions of every run's kept weights together, through their mean."""
    mean = rows.mean(0)
    centred = rows - mean
    total = float((centred ** 2).sum())
    if rows.shape[0] <= 4096 or rows.shape[1] <= 4096:
        _, s, vh = torch.linalg.svd(centred, full_matrices=False)
    else:   # a randomised SVD, seeded: the same plane every time
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(0)
            _, s, v = torch.svd_lowrank(centred, q=8, niter=6)
        vh = v.T
    if len(s) < 2 or total == 0:
        raise OptanimError("plane: pca needs the weights to move in at least two directions")
    explained = (float(s[0] ** 2) / total, float(s[1] ** 2) / total)
    return Plane(origin=mean.cpu().numpy(), directions=vh[:2].cpu().numpy(), kind="pca", explained=explained)


def random_plane(centre: torch.Tensor, shapes: list[torch.Size], seed: int, run: str) -> Plane:
    """Two random directions, filter-normalised as Li et al. (2018) do: each output unit's (row's)
    part scaled to that row's norm in the weights, biases left out; then orthonormalised so that
    coordinates are projections. Centred on one run's end."""
    generator = torch.Generator().manual_seed(seed + 3)
    picked = []
    for _ in range(2):
        parts, first = [], 0
        for shape in shapes:
            n = int(np.prod(shape))
            weights = centre[first:first + n].reshape(shape).cpu()
            first += n
            if len(shape) < 2:
                parts.append(torch.zeros(n))
                continue
            noise = torch.randn(shape, generator=generator)
            rows_w, rows_n = weights.reshape(shape[0], -1), noise.reshape(shape[0], -1)
            scaled = rows_n * (rows_w.norm(dim=1, keepdim=True) / rows_n.norm(dim=1, keepdim=True).clamp_min(1e-30))
            parts.append(scaled.reshape(-1))
        picked.append(torch.cat(parts).to(centre.device, centre.dtype))
    directions = orthonormal(picked[0], picked[1], "random")
    return Plane(origin=centre.cpu().numpy(), directions=directions.cpu().numpy(), kind="random", runs=(run,))


def project(plane: Plane, rows: torch.Tensor, start: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Each row's (a, b) on the plane (K, 2), and its distance from the plane relative to its distance
    from the start (K,): 0 on the plane, 1 where the plane does not follow the run at all."""
    origin = torch.as_tensor(plane.origin, device=rows.device)
    directions = torch.as_tensor(plane.directions, device=rows.device)
    offset = rows - origin
    coords = offset @ directions.T
    off = (offset - coords @ directions).norm(dim=1)
    travelled = (rows - start).norm(dim=1)
    return coords, torch.where(travelled > 0, off / travelled.clamp_min(1e-30), torch.zeros_like(off))


def plane_window(paths: list[tuple[np.ndarray, np.ndarray]], margin: float = 0.25
                 ) -> tuple[tuple[float, float], tuple[float, float]]:
    """(a_range, b_range) that holds every path with a margin of `margin` of its span on each side,
    neither side less than a third of the other (a sliver of a plane reads as nothing)."""
    a = np.concatenate([p[0] for p in paths if len(p[0])]) if paths else np.zeros(1)
    b = np.concatenate([p[1] for p in paths if len(p[1])]) if paths else np.zeros(1)
    a, b = a[np.isfinite(a)], b[np.isfinite(b)]
    spans = [max(float(v.max() - v.min()), 1e-3) if len(v) else 1.0 for v in (a, b)]
    spans = [max(s, max(spans) / 3) for s in spans]
    ranges = []
    for v, span in zip((a, b), spans):
        middle = (float(v.max()) + float(v.min())) / 2 if len(v) else 0.0
        half = span * (0.5 + margin)
        ranges.append((middle - half, middle + half))
    return ranges[0], ranges[1]
