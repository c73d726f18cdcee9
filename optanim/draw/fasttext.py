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
    """A monospaced, single-line, left-aligned Text whose Agg drawing reuses cached glyph cells."""

    def draw(self, renderer) -> None:
        string = self.get_text()
        # A halo (a path effect, for clips with transparency) is matplotlib's to draw: the cells
        # blend one colour into an opaque canvas.
        if (not isinstance(renderer, RendererAgg) or not self.get_visible() or self.get_ha() != "left"
                or self.get_va() not in ("center", "top") or any(c not in CHARSET for c in string)
                or self.get_path_effects()):
            return super().draw(renderer)
        if not string:
            return
        coverage, colour, width = _glyph_cells(self, renderer.dpi)
        columns = (np.array([CHARSET.index(c) for c in string])[:, None] * width + np.arange(width)).ravel()
        alpha = coverage[:, columns]
        x, y = self.get_transform().transform(self.get_unitless_position())
        canvas = np.asarray(renderer.buffer_rgba())
        height = canvas.shape[0]
        top = int(round(height - y - (alpha.shape[0] / 2 if self.get_va() == "center" else 0)))
        left = int(round(x))
        # Clip to the canvas, then blend: out = colour·α + background·(1 − α).
        t0, l0 = max(top, 0), max(left, 0)
        t1, l1 = min(top + alpha.shape[0], height), min(left + alpha.shape[1], canvas.shape[1])
        if t1 <= t0 or l1 <= l0:
            return
        a = alpha[t0 - top:t1 - top, l0 - left:l1 - left, None]
        region = canvas[t0:t1, l0:l1, :3]
        region[...] = (colour * a + region * (1 - a)).astype(np.uint8)
        self.stale = False
