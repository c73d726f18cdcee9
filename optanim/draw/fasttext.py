"""Readout text drawn from cached glyphs: Agg lays out and rasterises every glyph of every text on
every frame, which was three quarters of a 2D frame's cost. The readout is monospaced, so each
character is a fixed-width cell: rasterise each font's characters once, then compose strings from
the cells and alpha-blend them into the canvas. Vector output (PDF, SVG) draws the usual way."""

from __future__ import annotations

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.figure import Figure
from matplotlib.text import Text

#: Every character the readout can show; another character falls back to matplotlib's own drawing.
CHARSET = "0123456789.,:;+-−×/()[]%= abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"

_cells: dict[tuple, tuple[np.ndarray, np.ndarray, int]] = {}


def _glyph_cells(text: Text, dpi: float) -> tuple[np.ndarray, np.ndarray, int]:
    """(coverage (h, n·w), colour (3,), cell width w) for the text's font, size and colour."""
    key = (text.get_fontproperties(), dpi, text.get_color())
    if key not in _cells:
        fig = Figure(dpi=dpi)
        fig.patch.set_alpha(0)
        strip = fig.text(0, 0.5, CHARSET, fontproperties=text.get_fontproperties(), color="black",
                         va="center", ha="left")
        canvas = FigureCanvasAgg(fig)
        box = strip.get_window_extent(canvas.get_renderer())
        fig.set_size_inches((box.width + 4) / dpi, (box.height + 4) / dpi)
        canvas.draw()
        box = strip.get_window_extent(canvas.get_renderer())
        pixels = np.asarray(canvas.buffer_rgba())
        height = pixels.shape[0]
        top, bottom = int(round(height - box.y1)), int(round(height - box.y0))
        left = int(round(box.x0))
        width = int(round(box.width / len(CHARSET)))
        coverage = pixels[top:bottom, left:left + width * len(CHARSET), 3].astype(np.float32) / 255
        from matplotlib.colors import to_rgb

        _cells[key] = (coverage, np.array(to_rgb(text.get_color()), np.float32) * 255, width)
    return _cells[key]


class CachedText(Text):
    """A monospaced, single-line, left-aligned Text whose Agg drawing reuses cached glyph cells.

    `halo` (stroke width in points, RGBA colour), set with the same stroke as a path effect (which
    vector output draws): the cells draw it themselves, as the glyphs' outline widened."""

    halo: tuple[float, tuple[float, float, float, float]] | None = None

    def draw(self, renderer) -> None:
        string = self.get_text()
        if (not isinstance(renderer, RendererAgg) or not self.get_visible() or self.get_ha() != "left"
                or self.get_va() not in ("center", "top") or any(c not in CHARSET for c in string)
                or (self.get_path_effects() and self.halo is None)):
            return super().draw(renderer)
        if not string:
            return
        coverage, colour, width = _glyph_cells(self, renderer.dpi)
        columns = (np.array([CHARSET.index(c) for c in string])[:, None] * width + np.arange(width)).ravel()
        alpha = coverage[:, columns]
        x, y = self.get_transform().transform(self.get_unitless_position())
        canvas = np.asarray(renderer.buffer_rgba())
        top = int(round(canvas.shape[0] - y - (alpha.shape[0] / 2 if self.get_va() == "center" else 0)))
        left = int(round(x))
        layers = [(colour, alpha)]
        if self.halo is not None:
            stroke, halo_colour = self.halo
            # A stroke is centred on the outline: it reaches half its width beyond the glyphs.
            pad, alpha, halo = widened(alpha, stroke / 2 * renderer.dpi / 72)
            layers = [(np.array(halo_colour[:3], np.float32) * 255, halo * halo_colour[3]), (colour, alpha)]
            top, left = top - pad, left - pad
        for rgb, a in layers:
            over(canvas, rgb, a, top, left)
        self.stale = False


def widened(alpha: np.ndarray, reach: float) -> tuple[int, np.ndarray, np.ndarray]:
    """(pad, the coverage padded by it, the coverage grown `reach` pixels beyond its outline every
    way): a stroke round the glyphs. The outline lies half a pixel out from a covered pixel's centre,
    so a pixel at distance d from one is covered by reach + 1 - d (a disk, its rim antialiased)."""
    pad = int(np.ceil(reach + 1))
    alpha = np.pad(alpha, pad)
    out = alpha.copy()
    rows, cols = alpha.shape
    for dy in range(-pad, pad + 1):
        for dx in range(-pad, pad + 1):
            weight = min(1.0, reach + 1 - float(np.hypot(dy, dx)))
            if weight <= 0 or (dy, dx) == (0, 0):
                continue
            shifted = np.zeros_like(alpha)
            shifted[max(dy, 0):rows + min(dy, 0), max(dx, 0):cols + min(dx, 0)] = \
                alpha[max(-dy, 0):rows - max(dy, 0), max(-dx, 0):cols - max(dx, 0)]
            np.maximum(out, shifted * weight, out=out)
    return pad, alpha, out


def over(canvas: np.ndarray, rgb: np.ndarray, alpha: np.ndarray, top: int, left: int) -> None:
    """Blend one colour at coverage `alpha` into the straight-alpha RGBA canvas at (top, left), clipped
    to it: on an opaque canvas out = colour·α + background·(1 − α); where the canvas is transparent,
    its alpha grows and the colour is what shows through."""
    t0, l0 = max(top, 0), max(left, 0)
    t1, l1 = min(top + alpha.shape[0], canvas.shape[0]), min(left + alpha.shape[1], canvas.shape[1])
    if t1 <= t0 or l1 <= l0:
        return
    a = alpha[t0 - top:t1 - top, l0 - left:l1 - left, None]
    region = canvas[t0:t1, l0:l1]
    if (region[..., 3] == 255).all():   # the usual, opaque canvas: no alpha to carry
        region[..., :3] = (rgb * a + region[..., :3] * (1 - a)).astype(np.uint8)
        return
    below = region[..., 3:].astype(np.float32) / 255
    shown = a + below * (1 - a)
    mixed = (rgb * a + region[..., :3] * below * (1 - a)) / np.maximum(shown, 1e-6)
    region[..., :3] = np.where(shown > 0, mixed + 0.5, region[..., :3]).astype(np.uint8)
    region[..., 3:] = (shown * 255 + 0.5).astype(np.uint8)
