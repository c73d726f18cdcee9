"""Recordings as files: one .npz (numpy alone reads it back) and one .csv (a spreadsheet does)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np

from .atomic import atomic_target
from ..data.plane import Plane
from ..data.recording import Recording, Trajectory

_PATH_ARRAYS = ("a", "b", "loss", "full_loss", "lr", "grad")
_PATH_DICTS = ("state", "hyper")   # stored as "<key>.state.<name>": one array per entry
_DATA_ARRAYS = ("x", "y", "order")
#: A network's: present only where recorded.
_NETWORK_PATH_ARRAYS = ("weights", "off_plane", "plane_loss", "test_loss", "accuracy")
_NETWORK_ARRAYS = ("kept_steps", "x_test", "y_test")


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
    if recording.plane is not None:
        plane = recording.plane
        arrays.update({name: getattr(recording, name) for name in _NETWORK_ARRAYS}, task=np.array(recording.task),
                      **{"plane.origin": plane.origin, "plane.directions": plane.directions,
                         "plane.kind": np.array(plane.kind), "plane.runs": np.array(plane.runs, dtype=str),
                         "plane.explained": np.array(plane.explained or (), dtype=float)})
    for key, path in recording.paths.items():
        for name in _PATH_ARRAYS:
            arrays[f"{key}.{name}"] = getattr(path, name)
        arrays.update({f"{key}.{name}": getattr(path, name) for name in _NETWORK_PATH_ARRAYS
                       if getattr(path, name) is not None})
        for kind in _PATH_DICTS:
            arrays.update({f"{key}.{kind}.{name}": np.asarray(value) for name, value in getattr(path, kind).items()})
        if path.evaluations is not None:
            arrays[f"{key}.evaluations"] = path.evaluations
    np.savez(target, **arrays)


def load_npz(source: Path | io.BufferedIOBase) -> Recording:
    with np.load(source, allow_pickle=False) as data:
        paths = {}
        for key, label, optimizer, stop, why in zip(data["keys"], data["labels"], data["optimizers"],
                                                    data["diverged_at"], data["diverged_why"]):
            key = str(key)
            dicts = {kind: {name[len(f"{key}.{kind}."):]: data[name] for name in data.files
                            if name.startswith(f"{key}.{kind}.")} for kind in _PATH_DICTS}
            dicts["hyper"] = {name: float(value) for name, value in dicts["hyper"].items()}
            evaluations = data[f"{key}.evaluations"] if f"{key}.evaluations" in data.files else None
            paths[key] = Trajectory(key=key, label=str(label), optimizer=str(optimizer), evaluations=evaluations,
                                    diverged_at=None if stop < 0 else int(stop), diverged_why=str(why),
                                    **{name: data[f"{key}.{name}"] for name in _PATH_ARRAYS}, **dicts,
                                    **{name: data[f"{key}.{name}"] for name in _NETWORK_PATH_ARRAYS
                                       if f"{key}.{name}" in data})
        extra = {}
        if "x" in data:
            extra = {name: data[name] for name in _DATA_ARRAYS} | {"batch_size": int(data["batch_size"])}
        if "plane.origin" in data:
            explained = tuple(float(v) for v in data["plane.explained"])
            extra |= {name: data[name] for name in _NETWORK_ARRAYS} | {"task": str(data["task"]), "plane": Plane(
                origin=data["plane.origin"], directions=data["plane.directions"], kind=str(data["plane.kind"]),
                runs=tuple(str(v) for v in data["plane.runs"]), explained=explained or None)}
        return Recording(paths=paths, epochs=int(data["epochs"]), steps_per_epoch=int(data["steps_per_epoch"]),
                         minima=tuple(tuple(float(v) for v in m) for m in data["minima"]), **extra)


def save_csv(recording: Recording, target: Path) -> None:
    """One row per step and run, for a spreadsheet; a state column is empty for a run without it."""
    names = list(dict.fromkeys(name for path in recording.paths.values() for name in path.state))
    with open(target, "w", newline="") as handle:
        writer = csv.writer(handle)
        network = [name for name in _NETWORK_PATH_ARRAYS[1:]
                   if any(getattr(p, name) is not None for p in recording.paths.values())]
        writer.writerow(["optimizer", "step", "epoch", "a", "b", "batch_loss", "full_loss", "lr", "grad_a",
                         "grad_b", *network, *(f"{name}_{p}" for name in names for p in "ab")])
        for key, path in recording.paths.items():
            grad = list(path.grad.T) if path.grad.shape[1] == 2 else [None, None]   # a network's is not (a, b)'s
            columns = [path.a, path.b, path.loss, path.full_loss, path.lr, *grad, *(getattr(path, n) for n in network),
                       *(column for name in names for column in (path.state[name].T if name in path.state
                                                                 else [None, None]))]
            for step in range(len(path.a)):
                writer.writerow([key, step, step // recording.steps_per_epoch + 1,
                                 *("" if c is None else repr(float(c[step])) for c in columns)])


def export_recording(recording: Recording, folder: Path) -> list[Path]:
    """recording.npz and recording.csv in the folder, each written whole or not at all."""
    targets = [folder / "recording.npz", folder / "recording.csv"]
    for target, save in zip(targets, (save_npz, save_csv)):
        with atomic_target(target) as partial:
            save(recording, partial)
    return targets
