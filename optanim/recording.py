"""What a training run leaves behind: plain numpy arrays, one entry per step."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .atomic import atomic_target


@dataclass(frozen=True)
class Trajectory:
    """One optimizer's run. a[i], b[i] are the parameters before step i; loss[i] the mini-batch
    loss there; full_loss[i] the loss over all data there; lr[i] the learning rate step i used.

    An optimizer that diverged keeps only its good steps: len(a) == diverged_at."""

    key: str
    label: str
    a: np.ndarray
    b: np.ndarray
    loss: np.ndarray
    full_loss: np.ndarray
    lr: np.ndarray
    diverged_at: int | None = None
    diverged_why: str = ""

    @property
    def diverged(self) -> bool:
        return self.diverged_at is not None


@dataclass(frozen=True)
class Recording:
    """Every optimizer's path through one scene, and the data and batches they all saw."""

    x: np.ndarray
    y: np.ndarray
    order: np.ndarray           # epochs × n_samples: each epoch's shuffled indices
    batch_size: int
    paths: dict[str, Trajectory] = field(default_factory=dict)

    @property
    def epochs(self) -> int:
        return int(self.order.shape[0])

    @property
    def steps_per_epoch(self) -> int:
        return -(-self.order.shape[1] // self.batch_size)

    @property
    def n_steps(self) -> int:
        return self.epochs * self.steps_per_epoch

    def batch(self, step: int) -> np.ndarray:
        """The sample indices of the mini-batch at this step."""
        epoch, i = divmod(step, self.steps_per_epoch)
        return self.order[epoch, i * self.batch_size:(i + 1) * self.batch_size]


_PATH_ARRAYS = ("a", "b", "loss", "full_loss", "lr")


def save_npz(recording: Recording, target: Path | io.BufferedIOBase) -> None:
    """Everything in one .npz, readable with numpy.load alone."""
    arrays = {"x": recording.x, "y": recording.y, "order": recording.order,
              "batch_size": np.array(recording.batch_size),
              "keys": np.array(list(recording.paths)),
              "labels": np.array([p.label for p in recording.paths.values()]),
              "diverged_at": np.array([-1 if p.diverged_at is None else p.diverged_at
                                       for p in recording.paths.values()]),
              "diverged_why": np.array([p.diverged_why for p in recording.paths.values()])}
    for key, path in recording.paths.items():
        for name in _PATH_ARRAYS:
            arrays[f"{key}.{name}"] = getattr(path, name)
    np.savez(target, **arrays)


def load_npz(source: Path | io.BufferedIOBase) -> Recording:
    with np.load(source, allow_pickle=False) as data:
        paths = {}
        for key, label, stop, why in zip(data["keys"], data["labels"], data["diverged_at"],
                                         data["diverged_why"]):
            key = str(key)
            paths[key] = Trajectory(key=key, label=str(label), diverged_at=None if stop < 0 else int(stop),
                              diverged_why=str(why),
                              **{name: data[f"{key}.{name}"] for name in _PATH_ARRAYS})
        return Recording(x=data["x"], y=data["y"], order=data["order"],
                         batch_size=int(data["batch_size"]), paths=paths)


def save_csv(recording: Recording, target: Path) -> None:
    """One row per step and optimizer, for a spreadsheet."""
    with open(target, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["optimizer", "step", "epoch", "a", "b", "batch_loss", "full_loss", "lr"])
        for key, path in recording.paths.items():
            for step in range(len(path.a)):
                writer.writerow([key, step, step // recording.steps_per_epoch + 1,
                                 *(repr(float(getattr(path, n)[step])) for n in _PATH_ARRAYS)])


def export_recording(recording: Recording, folder: Path) -> list[Path]:
    """recording.npz and recording.csv in the folder, each written whole or not at all."""
    targets = [folder / "recording.npz", folder / "recording.csv"]
    for target, save in zip(targets, (save_npz, save_csv)):
        with atomic_target(target) as partial:
            save(recording, partial)
    return targets
