"""What the optimizer is thinking: its recorded state on screen.

On the contour, at each run's head: the step it took, the downhill gradient and (with momentum) its
velocity, as arrows whose length grows with log |x| so that all stay readable as they shrink. Beside
it, one run's update rule with the recorded numbers of the shown step filled in, and below, every
run's effective step size per parameter: the curve that shows why Adagrad stalls.
"""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.ticker import NullFormatter
from matplotlib.collections import LineCollection, PolyCollection

from ..data.updates import UpdateRule, step_taken, update_rule
from ..draw import style
from ..draw.storyboard import Movie
from .base import View
from .contour import ContourView
from .loss import log_limits
from .rule import RulePanel

#: Where the parts go in the view's box, [left, bottom, width, height] as fractions of it: the
#: contour over the rates beside the rule in a box of a single view; in a wide, low box (a dashboard
#: row) side by side, with the arrows' legend under the rates (else it closes the rule's column).
LAYOUTS = {
    "tall": {"contour": (0.0, 0.44, 0.5, 0.56), "rates": (0.0, 0.0, 0.5, 0.28), "rule": (0.57, 0.0, 0.43, 1.0)},
    "wide": {"contour": (0.0, 0.0, 0.3, 1.0), "rule": (0.34, 0.0, 0.4, 1.0), "rates": (0.83, 0.52, 0.17, 0.36),
             "legend": (0.77, 0.0, 0.23, 0.3)},
}
#: A box at least this many times wider than tall is laid out "wide".
WIDE = 2.2
#: Arrow lengths as fractions of the contour's shorter side: log |x| maps linearly onto this range.
ARROW_RANGE = (0.07, 0.25)
#: Each kind of arrow: line style, width and what the legend calls it.
ARROWS = {"step": ("-", 2.2, "step taken"), "gradient": ((0, (3, 2)), 1.4, "−gradient"),
          "velocity": ((0, (1, 1.5)), 1.8, "−momentum")}


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


class StateView(View):
    name = "state"
    kinds = frozenset({"data", "loss"})   # (a, b) themselves: not a network's plane
    title = "inside optimizer.step() · arrow length ∝ log |·|"

    def __init__(self, ax: Axes, movie: Movie, font_size: float = style.FONT_SIZE) -> None:
        super().__init__(ax, movie)
        fig, paths = ax.figure, movie.recording.paths
        box = ax.get_position()
        layout = LAYOUTS["wide" if box.width * fig.get_figwidth() > WIDE * box.height * fig.get_figheight()
                         else "tall"]
        rates_ax, rule_ax = (fig.add_axes(_sub_axes(ax, layout[part])) for part in ("rates", "rule"))
        legend_ax = fig.add_axes(_sub_axes(ax, layout["legend"])) if "legend" in layout else rule_ax
        ax.set_position(_sub_axes(ax, layout["contour"]))
        self.contour = ContourView(ax, movie, font_size)   # it zooms as the contour view does
        self.rules = {key: update_rule(path) for key, path in paths.items()}
        focus = movie.state_focus or next(iter(paths))
        self._arrows(ax, font_size)
        self._rates(rates_ax, font_size)
        compact = legend_ax is not rule_ax
        self.rule = RulePanel(rule_ax, movie, focus, self.rules[focus], font_size, compact=compact,
                              reserve=0 if compact else 2.5, least=style.MIN_TEXT_PT)
        self._legend(legend_ax, style.MIN_TEXT_PT if compact else font_size * 0.75, columns=1 if compact else 2)
        self.trails = [*self.contour.trails, self.rate_lines]
        self.artists = [*self.contour.artists, *self.shafts.values(), self.tips, self.cursor, *self.rule.artists]

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
        """(start, end) in pixels of each arrow drawn at this frame, by (run, kind): from the head as
        drawn (between two steps while it travels), along the vector of the step it has reached as it
        looks on screen, its log length a fraction of the contour's side."""
        shown = self.movie.timeline.whole(frame)
        keys, heads, vectors, lengths = [], [], [], []
        for key, path in self.movie.recording.paths.items():
            s = self.movie.step(key, frame)
            if (path.diverged and shown >= path.diverged_at) or s < 0:   # a dead run's cross says it all
                continue
            for kind in ARROWS:
                vector, length = self.vectors.get((key, kind), (None, None))
                if vector is not None and np.isfinite(length[s]):
                    keys.append((key, kind))
                    heads.append(self.movie.head(key, frame, path.a, path.b)[:, 0])   # where it is drawn
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
        ax.yaxis.set_minor_formatter(NullFormatter())   # a narrow range would label every minor tick
        ax.set_xlim(0, max(1, rec.n_steps - 1))
        ax.set_ylim(*log_limits(*(r.ravel() for r in rated.values())))
        narrow = ax.get_position().width * ax.figure.get_figwidth() < 3.0   # inches: a dashboard's column
        if not narrow:   # in a narrow column the ticks say it, and the legend needs the room
            ax.set_xlabel("step", fontsize=style.MIN_TEXT_PT)
        ax.set_title("effective step size η" + ("\n(— a, ··· b)" if narrow else " per parameter (— a, ··· b)"),
                     fontsize=max(style.MIN_TEXT_PT, font_size * 0.8), loc="left")
        ax.tick_params(labelsize=style.MIN_TEXT_PT)
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

    # -- what the arrows are, and the rule ---------------------------------------------------------

    def _legend(self, ax: Axes, size: float, columns: int) -> None:
        """What each arrow is, at the bottom of its axes: one row under the rule, or a column of its own."""
        ax.set_axis_off()
        handles = [Line2D([], [], color="#333333", linestyle=ARROWS[kind][0], linewidth=ARROWS[kind][1],
                          label=ARROWS[kind][2]) for kind in self.arrow_kinds]
        ax.legend(handles=handles, loc="lower left", fontsize=size, handlelength=2.0, frameon=False,
                  borderaxespad=0, ncols=columns, columnspacing=0.8, handletextpad=0.4, labelspacing=0.3)

    def move_camera(self, frame: int) -> bool:
        return self.contour.move_camera(frame)

    def update(self, frame: int) -> None:
        self.contour.update(frame)
        self._place_arrows(frame)
        shown = self.movie.timeline.steps[frame]
        self.cursor.set_xdata([shown, shown])
        self.rule.update(frame)
