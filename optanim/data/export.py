"""Recordings as files: one .npz (numpy alone reads it back) and one .csv (a spreadsheet does)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np

from ..output.atomic import atomic_target
from .recording import Recording, Trajectory

_PATH_ARRAYS = ("a", "b", "loss", "full_loss", "lr", "grad")
_DATA_ARRAYS = ("x", "y", "order")


def save_npz(recording: Recording, target: Path | io.BufferedIOBase) -> None:
    """Everything in one .npz, readable with numpy.load alone."""
    paths = recording.paths.values()
    arrays = {"epochs": np.array(recording.epochs), "steps_per_epoch": np.array(recording.steps_per_epoch),
              "minima": np.array(recording.minima, dtype=float).reshape(-1, 2),
              "keys": np.array(list(recording.paths)),
              "labels": np.array([p.label for p in paths]),
              "optimizers": np.array([p.optimizer for p in paths]),
              "diverged_at": np.array([-1 if p.diverged_at is None else p.diverged_at for p in paths]),
              "diverged_why": np.array([p.diverged_why for p in paths])}
    if recording.has_data:
        arrays.update({name: getattr(recording, name) for name in _DATA_ARRAYS},
                      batch_size=np.array(recording.batch_size))
    for key, path in recording.paths.items():
        for name in _PATH_ARRAYS:
            arrays[f"{key}.{name}"] = getattr(path, name)
    np.savez(target, **arrays)


def load_npz(source: Path | io.BufferedIOBase) -> Recording:
    with np.load(source, allow_pickle=False) as data:
        paths = {}
        for key, label, optimizer, stop, why in zip(data["keys"], data["labels"], data["optimizers"],
                                                    data["diverged_at"], data["diverged_why"]):
            key = str(key)
            paths[key] = Trajectory(key=key, label=str(label), optimizer=str(optimizer),
                                    diverged_at=None if stop < 0 else int(stop), diverged_why=str(why),
                                    **{name: data[f"{key}.{name}"] for name in _PATH_ARRAYS})
        extra = {}
        if "x" in data:
            extra = {name: data[name] for name in _DATA_ARRAYS} | {"batch_size": int(data["batch_size"])}
        return Recording(paths=paths, epochs=int(data["epochs"]), steps_per_epoch=int(data["steps_per_epoch"]),
                         minima=tuple(tuple(float(v) for v in m) for m in data["minima"]), **extra)


def save_csv(recording: Recording, target: Path) -> None:
    """One row per step and run, for a spreadsheet."""
    with open(target, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["optimizer", "step", "epoch", "a", "b", "batch_loss", "full_loss", "lr", "grad_a", "grad_b"])
        for key, path in recording.paths.items():
            columns = np.column_stack([path.a, path.b, path.loss, path.full_loss, path.lr, path.grad])
            for step, row in enumerate(columns):
                writer.writerow([key, step, step // recording.steps_per_epoch + 1, *(repr(float(v)) for v in row)])


def export_recording(recording: Recording, folder: Path) -> list[Path]:
    """recording.npz and recording.csv in the folder, each written whole or not at all."""
    targets = [folder / "recording.npz", folder / "recording.csv"]
    for target, save in zip(targets, (save_npz, save_csv)):
        with atomic_target(target) as partial:
            save(recording, partial)
    return targets
