"""What the optimizer is thinking: its recorded state on screen.

On the contour, at each run's head: the step it took, the downhill gradient and (with momentum) its
velocity, as arrows whose length grows with log |x| so that all stay readable as they shrink. Beside
it, one run's update rule with the recorded numbers of the shown step filled in, and below, every
run's effective step size per parameter: the curve that shows why Adagrad stalls.
"""

from __future__ import annotations

import textwrap

import numpy as np
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.collections import LineCollection, PolyCollection

from ..data.updates import UpdateRule, step_taken, update_rule
from ..draw import style
from ..draw.fasttext import CachedText
from ..draw.storyboard import Movie
from .base import View, fmt
from .contour import ContourView
from .loss import log_limits

#: Where the parts go in the view's box, [left, bottom, width, height] as fractions of it: the
#: contour over the rates beside the rule in a box of a single view; in a wide, low box (a dashboard
#: row) side by side, with the arrows' legend under the rates (else it closes the rule's column).
LAYOUTS = {
    "tall": {"contour": (0.0, 0.44, 0.5, 0.56), "rates": (0.0, 0.0, 0.5, 0.28), "rule": (0.57, 0.0, 0.43, 1.0)},
    "wide": {"contour": (0.0, 0.0, 0.3, 1.0), "rule": (0.35, 0.0, 0.38, 1.0), "rates": (0.8, 0.55, 0.2, 0.45),
             "legend": (0.77, 0.0, 0.23, 0.3)},
}
#: A box at least this many times wider than tall is laid out "wide".
WIDE = 2.2
#: Arrow lengths as fractions of the contour's shorter side: log |x| maps linearly onto this range.
ARROW_RANGE = (0.07, 0.25)
#: Each kind of arrow: line style, width and what the legend calls it.
ARROWS = {"step": ("-", 2.2, "step taken"), "gradient": ((0, (3, 2)), 1.4, "−gradient"),
          "velocity": ((0, (1, 1.5)), 1.8, "−momentum")}
#: Characters per number column (fmt gives at most 10: -1.234e-05).
COLUMN = 11


def _sub_axes(ax: Axes, box: tuple[float, float, float, float]) -> list[float]:
    """A part of the view's box, in figure fractions."""
    pos = ax.get_position()
    return [pos.x0 + box[0] * pos.width, pos.y0 + box[1] * pos.height, box[2] * pos.width, box[3] * pos.height]


def arrow_vectors(path, rule: UpdateRule) -> dict[str, np.ndarray]:
    """Each kind of arrow's (steps, 2) vector: where the step went, and where −g and −v push."""
    vectors = {"step": step_taken(path), "gradient": -path.grad.astype(float)}
    if rule.velocity is not None:
        vectors["velocity"] = -rule.velocity.astype(float)
    return vectors


def log_lengths(vectors: list[np.ndarray]) -> list[np.ndarray]:
    """Arrow lengths (fractions, ARROW_RANGE) from |x| on one log scale shared by all the arrays;
    NaN where there is no arrow to draw (a zero or unknown vector)."""
    norms = [np.linalg.norm(v, axis=1) if len(v) else np.zeros(0) for v in vectors]
    logs = [np.log10(np.where(np.isfinite(n) & (n > 0), n, np.nan)) for n in norms]
    known = np.concatenate([l[np.isfinite(l)] for l in logs] or [np.zeros(0)])
    low, high = (known.min(), known.max()) if len(known) else (0.0, 1.0)
    span = max(high - low, 1e-9)
    short, long = ARROW_RANGE
    return [short + (long - short) * np.clip((l - low) / span, 0, 1) for l in logs]


def zoom_to_paths(ax: Axes, movie: Movie, margin: float = 0.12) -> None:
    """Frame the paths, the start and the answer (within the window): the arrows are about them."""
    points = [np.stack([p.a, p.b], axis=1) for p in movie.recording.paths.values()]
    points = np.concatenate([*points, [movie.init], *([m] for m in movie.minima)])
    points = points[np.isfinite(points).all(axis=1)]
    land = movie.landscape
    for axis, values, window in ((0, land.a, ax.set_xlim), (1, land.b, ax.set_ylim)):
        low, high = points[:, axis].min(), points[:, axis].max()
        pad = max(high - low, 0.05 * (values[-1] - values[0])) * margin
        window(max(values[0], low - pad), min(values[-1], high + pad))


class StateView(View):
    name = "state"
    title = "inside optimizer.step()"

    def __init__(self, ax: Axes, movie: Movie, font_size: float = style.FONT_SIZE) -> None:
        super().__init__(ax, movie)
        fig, paths = ax.figure, movie.recording.paths
        box = ax.get_position()
        layout = LAYOUTS["wide" if box.width * fig.get_figwidth() > WIDE * box.height * fig.get_figheight()
                         else "tall"]
        rates_ax, rule_ax = (fig.add_axes(_sub_axes(ax, layout[part])) for part in ("rates", "rule"))
        legend_ax = fig.add_axes(_sub_axes(ax, layout["legend"])) if "legend" in layout else rule_ax
        ax.set_position(_sub_axes(ax, layout["contour"]))
        self.contour = ContourView(ax, movie, font_size)
        zoom_to_paths(ax, movie)
        self.rules = {key: update_rule(path) for key, path in paths.items()}
        self.focus = movie.state_focus or next(iter(paths))
        self._arrows(ax, font_size)
        self._rates(rates_ax, font_size)
        self._rule(rule_ax, font_size, legend_ax is rule_ax)
        self._legend(legend_ax, font_size * 0.75, columns=2 if legend_ax is rule_ax else 1)
        self.trails = [*self.contour.trails, self.rate_lines]
        self.artists = [*self.contour.artists, *self.shafts.values(), self.tips, self.cursor, self.counter,
                        *self.numbers]

    # -- the arrows at each head ----------------------------------------------------------------

    def _arrows(self, ax: Axes, font_size: float) -> None:
        vectors = {key: arrow_vectors(path, self.rules[key]) for key, path in self.movie.recording.paths.items()}
        flat = [(key, kind, v) for key, kinds in vectors.items() for kind, v in kinds.items()]
        lengths = log_lengths([v for _, _, v in flat])
        self.vectors = {(key, kind): (v, length) for (key, kind, v), length in zip(flat, lengths)}
        self.arrow_kinds = [kind for kind in ARROWS if any(kind in kinds for kinds in vectors.values())]
        # One collection per kind of shaft and one for all heads: a patch per arrow costs 3x the frame.
        self.shafts = {kind: ax.add_collection(LineCollection([], linestyles=ARROWS[kind][0], capstyle="butt",
                                                              linewidths=ARROWS[kind][1], zorder=3.5), autolim=False)
                       for kind in self.arrow_kinds}
        self.tips = ax.add_collection(PolyCollection([], linewidths=0, zorder=3.5), autolim=False)
        self.tip_size = font_size * 0.5 * ax.figure.dpi / 72   # pixels: fixed in points, as a marker is

    def arrow_ends(self, frame: int) -> dict[tuple[str, str], tuple[np.ndarray, np.ndarray]]:
        """(start, end) in pixels of each arrow drawn at this frame, by (run, kind): from the head,
        along the vector as it looks on screen, its log length a fraction of the contour's side."""
        shown = int(self.movie.timeline.steps[frame])
        keys, heads, vectors, lengths = [], [], [], []
        for key, path in self.movie.recording.paths.items():
            s = self.movie.step(key, frame)
            if (path.diverged and shown >= path.diverged_at) or s < 0:   # a dead run's cross says it all
                continue
            for kind in ARROWS:
                vector, length = self.vectors.get((key, kind), (None, None))
                if vector is not None and np.isfinite(length[s]):
                    keys.append((key, kind))
                    heads.append((path.a[s], path.b[s]))
                    vectors.append(vector[s])
                    lengths.append(length[s])
        if not keys:
            return {}
        ax = self.contour.ax
        matrix = ax.transData.get_affine().get_matrix()[:2]   # the contour's axes are linear: one matrix
        starts = np.asarray(heads, float) @ matrix[:, :2].T + matrix[:, 2]
        directions = np.asarray(vectors) @ matrix[:, :2].T
        directions /= np.hypot(*directions.T)[:, None]
        ends = starts + directions * (np.asarray(lengths) * min(ax.bbox.width, ax.bbox.height))[:, None]
        return {key: (start, end) for key, start, end in zip(keys, starts, ends)}

    def _place_arrows(self, frame: int) -> None:
        ends = self.arrow_ends(frame)
        inverse = self.contour.ax.transData.inverted().get_affine().get_matrix()[:2]
        to_data = lambda pixels: pixels @ inverse[:, :2].T + inverse[:, 2]  # noqa: E731
        tips, tip_colours = [], []
        for kind, shafts in self.shafts.items():
            segments, colours = [], []
            for (key, _), (start, end) in ((k, v) for k, v in ends.items() if k[1] == kind):
                along = end - start
                size = min(self.tip_size, 0.6 * np.hypot(*along))
                unit = along / np.hypot(*along)
                base, across = end - unit * size, np.array([-unit[1], unit[0]]) * size * 0.45
                segments.append(to_data(np.stack([start, base])))
                tips.append(to_data(np.stack([end, base + across, base - across])))
                colours.append(self.movie.styles[key].colour)
            shafts.set_segments(segments)
            shafts.set_color(colours)
            tip_colours += colours
        self.tips.set_verts(tips)
        self.tips.set_facecolor(tip_colours)

    # -- every run's effective step size ----------------------------------------------------------

    def _rates(self, ax: Axes, font_size: float) -> None:
        rec = self.movie.recording
        rated = {key: rule.rate for key, rule in self.rules.items() if rule.rate is not None}
        ax.set_yscale("log")
        ax.set_xlim(0, max(1, rec.n_steps - 1))
        ax.set_ylim(*log_limits(*(r.ravel() for r in rated.values())))
        ax.set_xlabel("step", fontsize=font_size * 0.8)
        narrow = ax.get_position().width * ax.figure.get_figwidth() < 3.0   # inches: a dashboard's column
        ax.set_title("effective step size η" + ("\n" if narrow else " ") + "per parameter (— a, ··· b)",
                     fontsize=font_size * 0.8, loc="left")
        ax.tick_params(labelsize=font_size * 0.7)
        ax.grid(True, which="major", alpha=0.3)
        # One collection for every run's two curves (a solid, b dotted): one draw for all as they grow.
        self.rated = [key for key in self.movie.recording.paths if key in rated]
        self.rate_lines = ax.add_collection(LineCollection(
            [np.zeros((0, 2))] * (2 * len(self.rated)), colors=[self.movie.styles[k].colour for k in self.rated
                                                                 for _ in "ab"],
            linestyles=["-", ":"] * len(self.rated), linewidths=[1.8, 1.4] * len(self.rated)), autolim=False)
        self.cursor = ax.axvline(0, color="#333333", lw=1, ls="--")

    def grow(self, since: int, frame: int) -> None:
        self.contour.grow(since, frame)
        segments = []
        for key in self.rated:
            part = self.segment(key, since, frame)
            steps = np.arange(len(self.movie.recording.paths[key].a))[part]
            segments += [np.column_stack([steps, self.rules[key].rate[part, p]]) for p in (0, 1)]
        self.rate_lines.set_segments(segments)

    # -- one run's update rule, its numbers filled in ---------------------------------------------

    def _legend(self, ax: Axes, size: float, columns: int) -> None:
        """What each arrow is, at the bottom of its axes: one row under the rule, or a column of its own."""
        ax.set_axis_off()
        handles = [Line2D([], [], color="#333333", linestyle=ARROWS[kind][0], linewidth=ARROWS[kind][1],
                          label=ARROWS[kind][2]) for kind in self.arrow_kinds]
        ax.legend(handles=handles, loc="lower left", fontsize=size, handlelength=2.0, frameon=False,
                  title="arrows at each head, length ∝ log |·|:", title_fontsize=size, borderaxespad=0,
                  alignment="left", ncols=columns, columnspacing=0.8, handletextpad=0.4)

    def _rule(self, ax: Axes, font_size: float, with_legend: bool) -> None:
        ax.set_axis_off()
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        rule, colour = self.rules[self.focus], self.movie.styles[self.focus].colour
        width_pt = ax.get_position().width * ax.figure.get_figwidth() * 72
        height_pt = ax.get_position().height * ax.figure.get_figheight() * 72
        why = textwrap.wrap(rule.why, max(20, int(width_pt / (font_size * 0.8 * 0.5))))
        rows = 4 + 2 * len(rule.lines) + 1 + len(why) + (3 if with_legend else 0)
        size = min(font_size * 0.85, height_pt / (rows * 1.3))   # a long rule gets a smaller font
        line = size * 1.3 / height_pt
        mono = dict(family="DejaVu Sans Mono", fontsize=size, va="top", color="#222222")
        column = COLUMN * size * 0.6 / width_pt          # DejaVu Sans Mono's advance is 0.6 em
        y = 1.0
        ax.text(0, y, self.movie.recording.paths[self.focus].label, fontsize=size * 1.1,
                weight="bold", color=colour, va="top")
        y -= line * 1.1
        if rule.constants:
            ax.text(0, y, rule.constants, fontsize=size * 0.9, va="top", color="#333333")
            y -= line
        self.counter = ax.add_artist(CachedText(0, y, "", **mono))
        y -= line * 1.2
        x_a = 1.0 - 2 * column
        for x, name in ((x_a, "a"), (x_a + column, "b")):
            ax.text(x + column * 0.9, y, name, ha="right", weight="bold", **{**mono, "color": "#555555"})
        self.numbers = []
        for entry in rule.lines:
            y -= line
            ax.text(0, y + line * 0.15, entry.formula, fontsize=size, va="top", color="#111111")
            self.numbers.append(ax.add_artist(CachedText(x_a, y - line * 0.9, "", **mono)))
            y -= line
        y -= line * 0.5
        ax.text(0, y, "\n".join(why), fontsize=size * 0.9, va="top", style="italic", color=colour,
                linespacing=1.25)

    def update(self, frame: int) -> None:
        self.contour.update(frame)
        self._place_arrows(frame)
        shown = self.movie.timeline.steps[frame]
        self.cursor.set_xdata([shown, shown])
        path = self.movie.recording.paths[self.focus]
        s = self.movie.step(self.focus, frame)
        if path.diverged and shown >= path.diverged_at:
            self.counter.set_text(f"step {s}   (diverged at {path.diverged_at})")
        else:
            self.counter.set_text(f"step {s}   t = {s + 1}   lr = {fmt(path.lr[s])}")
        for text, entry in zip(self.numbers, self.rules[self.focus].lines):
            values = entry.values[s] if s >= 0 else [np.nan]
            # a and b in one text, each right-aligned in its column: one glyph blit per line
            text.set_text(" ".join(fmt(v).rjust(COLUMN - 1) for v in values) if np.isfinite(values).all() else "")
