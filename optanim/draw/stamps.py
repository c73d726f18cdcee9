"""Text that a camera move only moves: drawn on Agg from a cached image of itself.

When the camera moves, the contour panel is drawn again, and laying out and rasterising the glyphs
of its labels and tick labels was most of that cost. A label's pixels do not change as it moves, so
each is rasterised once (per string, font, colour and angle) and pasted at the nearest whole pixel
of its anchor: Agg blends the block in C++. Every frame draws text this way, moving or not, so a
label looks the same whichever frame draws it. Vector output (PDF, SVG) draws the usual way.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axis import Axis
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.text import Text
from matplotlib.transforms import IdentityTransform

#: (string, font, colour, angle, alignment, dpi) -> (block, bottom-left offset from the anchor)
_stamps: dict[tuple, tuple[np.ndarray, int, int]] = {}


def _key(text: Text, dpi: float) -> tuple:
    return (text.get_text(), text.get_fontproperties(), to_rgba(text.get_color(), text.get_alpha()),
            text.get_rotation(), text.get_rotation_mode(), text.get_ha(), text.get_va(),
            text.get_linespacing(), text.get_antialiased(), dpi)


def _stamp(text: Text, dpi: float) -> tuple[np.ndarray, int, int]:
    """The text rasterised alone on a transparent canvas, anchored on a whole pixel: its pixels
    (bottom row first, as Agg's draw_image lays a block out) and where their bottom-left corner lies
    from the anchor."""
    key = _key(text, dpi)
    if key not in _stamps:
        fig = Figure(dpi=dpi)
        fig.patch.set_alpha(0)
        canvas = FigureCanvasAgg(fig)
        alone = Text(0, 0, text.get_text(), transform=IdentityTransform())
        alone.update_from(text)
        alone.set(transform=IdentityTransform(), visible=True, clip_on=False)
        fig.add_artist(alone)
        box = alone.get_window_extent(canvas.get_renderer())
        side = int(np.ceil(2 * max(box.width, box.height))) + 8   # whatever the alignment, it fits
        fig.set_size_inches(2 * side / dpi, 2 * side / dpi)
        alone.set_position((side, side))
        canvas.draw()
        pixels = np.asarray(canvas.buffer_rgba())
        rows, columns = np.nonzero(pixels[..., 3])
        if not len(rows):
            _stamps[key] = (np.zeros((0, 0, 4), np.uint8), 0, 0)
        else:
            top, bottom, left, right = rows.min(), rows.max() + 1, columns.min(), columns.max() + 1
            height = pixels.shape[0]
            block = np.ascontiguousarray(pixels[top:bottom, left:right][::-1])
            _stamps[key] = (block, left - side, height - bottom - side)
    return _stamps[key]


class StampedText(Text):
    """A Text whose Agg drawing pastes a cached image of itself at the whole pixel nearest its anchor.
    Its look (font, colour, alignment) is taken as fixed once it is drawn; its text and angle may change."""

    _stamped: tuple = (None, None)

    def draw(self, renderer) -> None:
        if not self.get_visible():
            return
        if not isinstance(renderer, RendererAgg) or self.get_path_effects() or "$" in self.get_text():
            return super().draw(renderer)
        key = (self.get_text(), self.get_rotation(), renderer.dpi)
        if self._stamped[0] != key:
            self._stamped = (key, _stamp(self, renderer.dpi))
        block, dx, dy = self._stamped[1]
        if block.size:
            x, y = self.get_transform().transform(self.get_unitless_position())
            gc = renderer.new_gc()
            self._set_gc_clip(gc)
            renderer.draw_image(gc, int(round(x)) + dx, int(round(y)) + dy, block)
            gc.restore()
        self.stale = False


def stamped(text: Text) -> StampedText:
    """A StampedText in place of `text` (a contour label, say): the same look, in the same axes."""
    copy = StampedText(*text.get_position(), text.get_text())
    copy.update_from(text)
    copy.set(transform=text.get_transform(), zorder=text.get_zorder(), clip_on=text.get_clip_on())
    text.axes.add_artist(copy)
    text.remove()
    return copy


class Ticks(Artist):
    """A 2D axes' furniture that follows its limits, in place of the axes' own (switched off): the
    major tick marks and labels of x and y, and the axis labels, which stand clear of the widest
    tick label at any of the windows the axes will show (matplotlib moves them as the labels widen).
    matplotlib lays out every tick label's text again whenever the limits change; here each is
    stamped. Marks and labels are those matplotlib would draw: each axis' locator and formatter,
    its tick's marker, transform, alignment and font, each label at the nearest whole pixel."""

    def __init__(self, ax, windows: np.ndarray) -> None:
        super().__init__()
        self.ax, self.windows = ax, np.unique(windows, axis=0)
        self.texts: dict[tuple, StampedText] = {}
        self.marks: dict[str, Line2D] = {}
        self.names: list[StampedText] = []
        self.placed: tuple = ()
        self.set_zorder(2.5)   # where the axes draw their own
        for axis in (ax.xaxis, ax.yaxis):
            axis.set_visible(False)

    @staticmethod
    def labels(axis: Axis) -> list[tuple[float, str]]:
        """(tick, label) of the ticks within the axis' view, as matplotlib would label them."""
        locs = axis.get_majorticklocs()
        strings = axis.get_major_formatter().format_ticks(locs)
        low, high = sorted(axis.get_view_interval())
        slack = 1e-9 * (high - low)
        return [(loc, text) for loc, text in zip(locs, strings) if low - slack <= loc <= high + slack]

    def text(self, axis: Axis, string: str) -> StampedText:
        """The label `string` of the axis, set up as the axis' own tick labels are."""
        template = axis.get_major_ticks(1)[0].label1
        key = (axis.axis_name, string, template.get_fontsize(), template.get_color())
        if key not in self.texts:
            self.texts[key] = _like(template, string, template.get_transform(), self.ax.figure)
        return self.texts[key]

    def mark(self, axis: Axis) -> Line2D:
        """The axis' tick marks as one line of markers (one draw call for all)."""
        template = axis.get_major_ticks(1)[0].tick1line
        if axis.axis_name not in self.marks:
            line = Line2D([], [])
            line.update_from(template)
            line.set(transform=template.get_transform(), visible=True, clip_on=False)
            line.set_figure(self.ax.figure)
            self.marks[axis.axis_name] = line
        return self.marks[axis.axis_name]

    def shown(self) -> list[Artist]:
        """The marks, labels and axis labels for the axes' limits now, placed."""
        self._name_axes()
        ax, artists = self.ax, []
        for axis in (ax.xaxis, ax.yaxis):
            ticks = self.labels(axis)
            across = axis is ax.xaxis
            locs = np.array([loc for loc, _ in ticks])
            mark = self.mark(axis)
            mark.set_data((locs, np.zeros(len(locs))) if across else (np.zeros(len(locs)), locs))
            artists.append(mark)
            for loc, string in ticks:
                if string:
                    text = self.text(axis, string)
                    text.set_position((loc, 0) if across else (0, loc))
                    artists.append(text)
        return artists + self.names

    def get_children(self) -> list[Artist]:
        return self.shown()

    def draw(self, renderer) -> None:
        if self.get_visible():
            for artist in self.shown():
                artist.draw(renderer)
        self.stale = False

    def _name_axes(self) -> None:
        """The axis labels, placed again only where their fonts or the axes' size changed (the layout
        sets fonts once the view is built)."""
        ax = self.ax
        labels = (ax.xaxis.label, ax.yaxis.label)
        key = (*(t.get_text() for t in labels), *(t.get_fontsize() for t in labels),
               *(axis.get_major_ticks(1)[0].label1.get_fontsize() for axis in (ax.xaxis, ax.yaxis)),
               ax.bbox.width, ax.bbox.height, ax.figure.dpi)
        if key == self.placed:
            return
        _, tall = self.widest(ax.xaxis, self.windows[:, :2])
        wide, _ = self.widest(ax.yaxis, self.windows[:, 2:])
        pixels = ax.figure.dpi / 72
        x_tick, y_tick = ax.xaxis.get_major_ticks(1)[0], ax.yaxis.get_major_ticks(1)[0]
        below = (x_tick.get_pad() + x_tick.get_tick_padding() + ax.xaxis.labelpad) * pixels + tall
        beside = (y_tick.get_pad() + y_tick.get_tick_padding() + ax.yaxis.labelpad) * pixels + wide
        ax.xaxis.set_label_coords(0.5, -below / ax.bbox.height)
        ax.yaxis.set_label_coords(-beside / ax.bbox.width, 0.5)
        self.names = [_like(t, t.get_text(), t.get_transform(), ax.figure, t.get_position()) for t in labels if t.get_text()]
        self.placed = key

    def widest(self, axis: Axis, limits: np.ndarray) -> tuple[float, float]:
        """The widest and the tallest tick label (pixels) the axis shows at any of these limits."""
        set_limits = self.ax.set_xlim if axis is self.ax.xaxis else self.ax.set_ylim
        before = tuple(axis.get_view_interval())   # (a view of the limits: it would follow them)
        strings = set()
        try:
            for low, high in limits:
                set_limits(low, high)
                strings.update(text for _, text in self.labels(axis) if text)
        finally:
            set_limits(*before)
        boxes = [self.text(axis, s).get_window_extent() for s in strings]
        return max((b.width for b in boxes), default=0.0), max((b.height for b in boxes), default=0.0)


def _like(template: Text, string: str, transform, figure, position=(0, 0)) -> StampedText:
    """A StampedText that looks as `template` does."""
    text = StampedText(*position, string)
    text.update_from(template)
    text.set(text=string, transform=transform, visible=True, clip_on=False)
    text.set_figure(figure)
    return text


def to_stage(ax, texts: Sequence[Text]) -> None:
    """Draw these texts of the axes (its titles, its axis labels) with the figure instead: where the
    axes are drawn again at each camera move, text that does not move need not be. Each goes where
    it was last drawn; the axes keep none."""
    for text in texts:
        if not text.get_visible() or not text.get_text():
            continue
        copy = Text(*text.get_position(), text.get_text())
        copy.update_from(text)
        copy.set(transform=text.get_transform(), zorder=text.get_zorder())
        ax.figure.add_artist(copy)
        text.set_text("")
