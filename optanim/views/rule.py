"""One run's update rule in an axes of its own, the recorded numbers of the shown step filled in.

Full: each line's formula over its (a, b) numbers, the constants, and a sentence on what the state
does to the steps. Compact (a dashboard row): each line's symbol beside its numbers. The numbers
change every frame, so they are glyph-cached text (draw/fasttext.py), one text per line.
"""

from __future__ import annotations

import textwrap

import numpy as np
from matplotlib.axes import Axes

from ..data.updates import UpdateRule
from ..draw.fasttext import CachedText
from ..draw.storyboard import Movie
from .base import fmt

#: Characters per number column (fmt gives at most 10: -1.234e-05).
COLUMN = 11
#: Line height, in font sizes.
SPACING = 1.25
#: DejaVu Sans Mono's advance, in font sizes.
MONO_ADVANCE = 0.6


class RulePanel:
    """The focus run's rule in `ax`; update(frame) fills in the numbers. `reserve`: rows kept free at
    the bottom (for a legend); `least`: the smallest font worth drawing (a compact panel drops its
    sentence, then its constants, to keep to it)."""

    def __init__(self, ax: Axes, movie: Movie, key: str, rule: UpdateRule, font_size: float, *,
                 compact: bool, reserve: float = 0.0, least: float = 0.0) -> None:
        self.movie, self.key, self.rule = movie, key, rule
        self.gap = "  " if compact else "   "
        ax.set_axis_off()
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        fig = ax.figure
        width_pt = ax.get_position().width * fig.get_figwidth() * 72
        height_pt = ax.get_position().height * fig.get_figheight() * 72
        why = textwrap.wrap(rule.why, max(20, int(width_pt / (font_size * 0.8 * 0.5))))
        constants = bool(rule.constants)
        per_line = 1 if compact else 2
        rows = lambda: 3.3 + constants + per_line * len(rule.lines) + (1 + len(why) if why else 0) + reserve  # noqa: E731
        # No larger than the two number columns fit across, nor than the rows fit down.
        largest = min(max(font_size * 0.85, least), width_pt / ((2 * COLUMN + 1) * MONO_ADVANCE))
        size = min(largest, height_pt / (rows() * SPACING))
        for drop in ("why", "constants"):   # a compact panel gives up the words before the numbers shrink
            if not compact or size >= least:
                break
            why, constants = ([], constants) if drop == "why" else (why, False)
            size = min(largest, height_pt / (rows() * SPACING))
        line = size * SPACING / height_pt
        column = COLUMN * size * MONO_ADVANCE / width_pt
        x_numbers = 1.0 - 2 * column
        mono = dict(family="DejaVu Sans Mono", fontsize=size, va="top", color="#222222")
        colour = movie.styles[key].colour
        y = 1.0
        ax.text(0, y, movie.recording.paths[key].label, fontsize=size * 1.1, weight="bold", color=colour, va="top")
        y -= line * 1.1
        if constants:
            ax.text(0, y, rule.constants, fontsize=size * 0.9, va="top", color="#333333")
            y -= line
        self.counter = ax.add_artist(CachedText(0, y, "", **mono))
        y -= line * 1.2
        for x, name in ((x_numbers, "a"), (x_numbers + column, "b")):
            ax.text(x + column * 0.9, y, name, ha="right", weight="bold", **{**mono, "color": "#555555"})
        self.numbers = []
        for entry in rule.lines:
            y -= line
            ax.text(0, y + line * 0.15, entry.symbol if compact else entry.formula, fontsize=size, va="top",
                    color="#111111")
            if not compact:
                y -= line
            self.numbers.append(ax.add_artist(CachedText(x_numbers, y + line * 0.1, "", **mono)))
        if why:
            ax.text(0, y - line * 0.6, "\n".join(why), fontsize=size * 0.9, va="top", style="italic",
                    color=colour, linespacing=1.2)
        self.artists = [self.counter, *self.numbers]

    def update(self, frame: int) -> None:
        path = self.movie.recording.paths[self.key]
        s = self.movie.step(self.key, frame)
        if path.diverged and self.movie.timeline.whole(frame) >= path.diverged_at:
            self.counter.set_text(f"step {s}{self.gap}(diverged at {path.diverged_at})")
        else:
            self.counter.set_text(f"step {s}{self.gap}t = {s + 1}{self.gap}lr = {fmt(path.lr[s])}")
        for text, entry in zip(self.numbers, self.rule.lines):
            values = entry.values[s] if s >= 0 else [np.nan]
            # a and b in one text, each right-aligned in its column: one glyph blit per line
            text.set_text(" ".join(fmt(v).rjust(COLUMN - 1) for v in values) if np.isfinite(values).all() else "")
