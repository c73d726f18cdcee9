"""Shared test helpers: tiny scenes and decoding videos back to pixels."""

from __future__ import annotations

import imageio_ffmpeg
import numpy as np
from matplotlib.text import Text

import optanim


def tiny_scene(**changes) -> optanim.Scene:
    fields = dict(name="tiny", epochs=2, optimizers=["sgd", "adam"], lr=0.05, duration=1.0, hold=0.4)
    fields.update(changes)
    return optanim.Scene(**fields)


def decode(path) -> tuple[dict, np.ndarray]:
    """Metadata and all frames (n, h, w, 3) of a video, through imageio-ffmpeg's ffmpeg."""
    reader = imageio_ffmpeg.read_frames(str(path))
    meta = next(reader)
    width, height = meta["size"]
    frames = [np.frombuffer(raw, np.uint8).reshape(height, width, 3) for raw in reader]
    return meta, np.stack(frames)


def pixel_of(ax, x: float, y: float, height: int) -> tuple[int, int]:
    """(row, column) in the frame buffer of data point (x, y) of axes `ax`."""
    px, py = ax.transData.transform((x, y))
    return int(round(height - py)), int(round(px))


def read_texts(fig) -> list[Text]:
    """Every visible, non-empty text a student reads: the titles, tick labels, axis labels and
    readout; not the contour lines' level labels (the fill shows the shape, they are a hint)."""
    skip = {id(t) for ax in fig.axes for c in ax.collections if hasattr(c, "labelTexts") for t in c.labelTexts}
    for ax in fig.axes:  # ticks out of the view interval are kept, not drawn
        for axis in (ax.xaxis, ax.yaxis, *([ax.zaxis] if hasattr(ax, "zaxis") else [])):
            low, high = sorted(axis.get_view_interval())
            skip |= {id(label) for tick in axis.get_major_ticks() + axis.get_minor_ticks()
                     if not low - 1e-9 <= tick.get_loc() <= high + 1e-9 for label in (tick.label1, tick.label2)}
    texts = [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip() and id(t) not in skip]
    renderer = fig.canvas.get_renderer()
    inside = fig.bbox
    return [t for t in texts if t.get_window_extent(renderer).overlaps(inside)]


def text_clashes(fig, views) -> tuple[list, list]:
    """The texts a student reads (read_texts) of different panels that run into each other, and those
    that leave the frame; a view's texts are those of its axes and of its sub-panels (`axes`)."""
    renderer = fig.canvas.get_renderer()
    owner = {id(text): view.name or "readout" for view in views
             for ax in [view.ax, *getattr(view, "axes", {}).values()] for text in ax.findobj(Text)}
    boxes = [(owner.get(id(t), "figure"), t.get_text(), t.get_window_extent(renderer)) for t in read_texts(fig)]
    clashes = [(a[:2], b[:2]) for i, a in enumerate(boxes) for b in boxes[i + 1:]
               if a[0] != b[0] and a[2].overlaps(b[2])]
    outside = [text for _, text, box in boxes if box.x0 < -1 or box.y0 < -1 or box.x1 > fig.bbox.x1 + 1
               or box.y1 > fig.bbox.y1 + 1]
    return clashes, outside


def use_failing_ffmpeg(folder, monkeypatch) -> None:
    """Put an ffmpeg that fails like a full disk in the encoder's place."""
    import stat

    fake = folder / "ffmpeg"
    fake.write_text("#!/bin/sh\ncat >/dev/null\necho 'No space left on device' >&2\nexit 1\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("OPTANIM_FFMPEG", str(fake))
