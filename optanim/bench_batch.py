"""Benchmark row for the batch view: every mini-batch landscape a render shows, from one table of
per-sample losses, against evaluating each batch's landscape from scratch (python -m optanim.bench)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np

from .benchkit import Row, median_time, verdict

#: The issue's target: all the batch landscapes of a -qm render of exp1 within this many seconds.
TARGET_S = 1.0


def shown_batches(scene_path: Path, quality_key: str, epochs: int | None = None):
    """The scene's movie and the (layer, step) pairs its batch view draws, frame by frame: the layer
    is the landscape the camera looks at (the whole one, or the finer one where it zooms in)."""
    from .draw import camera
    from .render import build_movie, get_recording
    from .scenefile import load_scene
    from .spec.quality import QUALITIES

    scene = load_scene(scene_path)
    if epochs is not None:
        scene = replace(scene, epochs=epochs)
    movie = build_movie(scene, get_recording(scene, None), QUALITIES[quality_key])
    region = camera.whole(movie.detail.a, movie.detail.b) if movie.detail else None
    pairs = sorted({(int(camera.inside(window, region)), movie.timeline.whole(f))
                    for f, window in enumerate(movie.windows)})
    return movie, pairs


def bench_batch_landscapes(scene_path: Path, quality_key: str, repeat: int, epochs: int | None = None) -> Row:
    """Seconds for every batch landscape the render shows, the table's cost included, against the
    criterion evaluated on each batch over the grid afresh; and whether the numbers agree."""
    from .data.batches import BatchLosses, direct_batch_loss, one_thread

    movie, pairs = shown_batches(scene_path, quality_key, epochs)
    lands = [land for land in (movie.landscape, movie.detail) if land is not None]
    problem = next(table for table in movie.batches if table is not None).problem
    batch = movie.recording.batch

    def ours() -> list[np.ndarray]:
        tables = [BatchLosses(problem, land.a, land.b) for land in lands]   # fresh: the table is timed too
        return [tables[layer].loss(batch(step)) for layer, step in pairs]

    def theirs() -> list[np.ndarray]:
        with one_thread():   # as the table is made: the two differ in the work alone
            return [direct_batch_loss(problem, batch(step), lands[layer].a, lands[layer].b) for layer, step in pairs]

    same = all(np.allclose(x, y, rtol=1e-5, atol=1e-7) for x, y in zip(ours(), theirs()))
    fast, slow = median_time(ours, repeat), median_time(theirs, repeat)
    name = f"11 batch landscapes {scene_path.stem} -q{quality_key}, {len(pairs)} shown vs each from scratch"
    return Row(name, f"{fast:.2f} s", f"{slow:.2f} s", f"{slow / fast:.1f}x", f"<= {TARGET_S:g} s, same values",
               verdict(fast <= TARGET_S and same) + f" (same values: {verdict(same)})")


def main() -> None:
    """python -m optanim.bench_batch: this row alone (exp1 at -qm, medians of 3 runs), as the table prints it."""
    import matplotlib

    matplotlib.use("Agg")
    row = bench_batch_landscapes(Path(__file__).resolve().parent.parent / "scenes" / "exp1.py", "m", 3)
    print("  ".join((row.name, row.optanim, row.baseline, row.ratio, row.target, row.met)))


if __name__ == "__main__":
    main()
