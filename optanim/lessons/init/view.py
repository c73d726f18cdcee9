"""The initialisation figure: for each activation, walk forward through the layers, then back.

Top row: the distribution at the current layer, one histogram per scheme. Bottom: the std per
layer growing as the walk goes (activations forward, gradients back), and the formulas with their
numbers beside σ as torch drew it.
"""

from __future__ import annotations

from dataclasses import dataclass

import matplotlib as mpl
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ...draw import style
from ...stage.layout import figure, titles
from ...draw.timeline import Timeline, timeline
from ...spec.quality import Quality
from .recorder import InitRecording
from .scene import HIST_LIMIT, InitScene

#: Okabe–Ito (colour-blind safe), with a marker and a dash each: Xavier and Kaiming give the same σ
#: on square layers, and the dashed line keeps the one beneath visible.
SCHEME_STYLE = {
    "default": ("#0072B2", "o", "-"),
    "normal": ("#D55E00", "s", "-"),
    "xavier": ("#009E73", "^", "-"),
    "kaiming": ("#CC79A7", "v", "--"),
}
SCHEME_LABELS = {"default": "PyTorch default", "normal": "N(0, 1)", "xavier": "Xavier", "kaiming": "Kaiming"}
GAIN_TEXT = {"tanh": "5/3", "relu": "√2", "sigmoid": "1", "leaky_relu": "√(2/(1+a²))"}
FORWARD, BACKWARD = 0, 1
#: The histograms' share axis: a spread signal fills about a third of it; a spike runs off the
#: top and its share is written there instead.
HIST_TOP = 0.3


@dataclass(frozen=True)
class InitMovie:
    """The recording and, for each frame, the stop it shows: (activation, pass, layer)."""

    title: str
    subtitle: str
    recording: InitRecording
    stops: np.ndarray       # (n_stops, 3): activation index, FORWARD or BACKWARD, layer
    timeline: Timeline

    def stop(self, frame: int) -> tuple[int, int, int]:
        activation, phase, layer = self.stops[self.timeline.whole(frame)]
        return int(activation), int(phase), int(layer)


def make_init_movie(scene: InitScene, recording: InitRecording, fps: int) -> InitMovie:
    """Forward through layers 0..depth, then back from depth to 0, for each activation in turn."""
    depth = recording.depth
    layers = np.arange(depth + 1)
    stops = np.concatenate([
        np.column_stack([np.full(depth + 1, a), np.full(depth + 1, phase),
                         layers if phase == FORWARD else layers[::-1]])
        for a in range(len(recording.activations)) for phase in (FORWARD, BACKWARD)])
    subtitle = (f"{depth} layers of {recording.width}, {scene.batch} standard-normal inputs: "
                "the signal goes forward, the gradient comes back")
    return InitMovie(title=scene.title or "Initialisation: Xavier and Kaiming", subtitle=subtitle,
                     recording=recording, stops=stops,
                     timeline=timeline(len(stops), scene.duration, scene.hold, fps, "linear"))


def _shown(phase: int, layer: int, depth: int, kind: str) -> slice:
    """The layers a std curve shows at this stop: forward grows from the input, backward from the output."""
    if kind == "act":
        return slice(0, layer + 1 if phase == FORWARD else depth + 1)
    return slice(layer if phase == BACKWARD else depth + 1, depth + 1)


class PassView:
    """Above the histograms: which pass, and which layer, they show."""

    def __init__(self, fig: Figure, movie: InitMovie, font_size: float) -> None:
        self.movie = movie
        self.text = fig.text(0.012, 0.85, "", fontsize=font_size, weight="bold", va="top")
        self.artists = [self.text]

    def update(self, frame: int) -> None:
        a, phase, layer = self.movie.stop(frame)
        where = "the input" if layer == 0 else f"layer {layer} of {self.movie.recording.depth}"
        if phase == BACKWARD:
            what = f"backward: gradient reaching {where}"
        else:
            what = "forward: the input, x ~ N(0, 1)" if layer == 0 else f"forward: activations after {where}"
        self.text.set_text(f"{self.movie.recording.activations[a]} · {what}")


class HistogramView:
    """One scheme's distribution at the current layer: activations forward, gradients back."""

    def __init__(self, ax: Axes, movie: InitMovie, scheme: int, font_size: float) -> None:
        self.ax, self.movie, self.scheme = ax, movie, scheme
        rec = movie.recording
        key = rec.schemes[scheme]
        colour = SCHEME_STYLE[key][0]
        ax.set_xlim(-HIST_LIMIT, HIST_LIMIT)
        ax.set_ylim(0, HIST_TOP)
        ax.set_yticks([])
        ax.set_xticks([-4, -1, 0, 1, 4])
        ax.tick_params(labelsize=font_size * 0.75, length=3, pad=2)
        for side in ("top", "right", "left"):
            ax.spines[side].set_visible(False)
        ax.set_title(SCHEME_LABELS[key], fontsize=font_size * 0.9, color=style.text_colour(colour),
                     weight="bold", pad=font_size * 1.1)
        self.bars = ax.stairs(np.zeros(len(rec.edges) - 1), rec.edges, fill=True, color=colour, alpha=0.85)
        self.spike = ax.text(0, HIST_TOP, "", fontsize=font_size * 0.75, va="top", color="#222222")
        # Above the frame, under the title: never over the bars.
        self.std = ax.text(0.5, 1.02, "", transform=ax.transAxes, fontsize=font_size * 0.75, ha="center",
                           va="bottom", color="#222222")
        self.beyond = ax.text(0.5, 0.7, "", transform=ax.transAxes, fontsize=font_size * 0.7, ha="center",
                              va="top", color="#B00000")
        self.artists = [self.bars, self.spike, self.std, self.beyond]

    def update(self, frame: int) -> None:
        a, phase, layer = self.movie.stop(frame)
        rec, s = self.movie.recording, self.scheme
        forward = phase == FORWARD
        share = (rec.act_hist if forward else rec.grad_hist)[a, s, layer]
        std = (rec.act_std if forward else rec.grad_std)[a, s, layer]
        beyond = (rec.act_beyond if forward else rec.grad_beyond)[a, s, layer]
        self.bars.set_data(np.minimum(share, HIST_TOP))
        peak = int(np.argmax(share))
        over = share[peak] > HIST_TOP
        self.spike.set_text(f"↑{share[peak]:.0%}" if over else "")
        # Beside the spike, on the side with room: inside the frame even for an end bin.
        right_half = peak >= len(share) // 2
        self.spike.set_x(rec.edges[peak] - 0.1 if right_half else rec.edges[peak + 1] + 0.1)
        self.spike.set_ha("right" if right_half else "left")
        self.std.set_text(f"std {std:.2g}")
        self.beyond.set_text(f"{beyond:.0%} beyond ±{HIST_LIMIT:g}" if beyond >= 0.005 else "")


class StdCurveView:
    """Std per layer on a log scale, one line per scheme, drawn up to the current stop."""

    def __init__(self, ax: Axes, movie: InitMovie, kind: str, limits: tuple[float, float],
                 font_size: float) -> None:
        self.ax, self.movie, self.kind = ax, movie, kind
        rec = movie.recording
        depth = rec.depth
        ax.set_yscale("log")
        ax.set_xlim(-0.5, depth + 0.5)
        ax.set_ylim(*limits)
        # Whole decades, 1 among them: the input's std, which the steady curves hold.
        low, high = np.log10(limits)
        step = max(1, int(np.ceil((high - low) / 6)))
        ax.set_yticks(10.0 ** np.arange(np.ceil(low / step) * step, high, step))
        ax.minorticks_off()
        ax.grid(True, which="major", alpha=0.3)
        ax.tick_params(labelsize=font_size * 0.75)
        ax.set_xlabel("layer (0: the input)", fontsize=font_size * 0.85, labelpad=1)
        ax.axhline(1.0, color="#555555", lw=1, ls=":")
        ax.set_ylabel("vanishing · std · exploding", fontsize=font_size * 0.8, labelpad=1)
        self.lines = []
        for key in rec.schemes:
            colour, marker, dash = SCHEME_STYLE[key]
            line, = ax.plot([], [], color=colour, marker=marker, ls=dash, lw=2, markersize=font_size * 0.35)
            self.lines.append(line)
        self.cursor = ax.axvline(0, color="#333333", lw=1, ls="--")
        self.artists = [*self.lines, self.cursor]

    def update(self, frame: int) -> None:
        a, phase, layer = self.movie.stop(frame)
        rec = self.movie.recording
        std = rec.act_std if self.kind == "act" else rec.grad_std
        shown = _shown(phase, layer, rec.depth, self.kind)
        x = np.arange(rec.depth + 1)[shown]
        low = self.ax.get_ylim()[0]
        for s, line in enumerate(self.lines):
            # A gradient that underflowed to exactly 0 sits on the bottom edge, not off the plot.
            line.set_data(x, np.maximum(std[a, s, shown], low))
        active = (phase == FORWARD) == (self.kind == "act")
        self.cursor.set_xdata([layer, layer])
        self.cursor.set_visible(active)


def formula(scheme: str, fan_in: int, fan_out: int, gain: float) -> tuple[str, str]:
    """The rule as the notebook writes it, and the same with this layer's numbers filled in."""
    if scheme == "default":
        return "U(±1/√fan_in): σ = 1/√(3·fan_in)", f"= 1/√(3·{fan_in})"
    if scheme == "normal":
        return "σ = 1", "= 1"
    if scheme == "xavier":
        return "σ = gain·√(2/(fan_in + fan_out))", f"= {gain:.4g}·√(2/({fan_in}+{fan_out}))"
    return "σ = gain/√fan_in", f"= {gain:.4g}/√{fan_in}"


class FormulaView:
    """The formulas with numbers, σ as torch drew it, and the scheme colours: the figure's legend."""

    def __init__(self, ax: Axes, movie: InitMovie, font_size: float) -> None:
        self.ax, self.movie = ax, movie
        ax.set_axis_off()
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        rec = movie.recording
        # Rows in font units, so the panel reads the same at every preset.
        line = font_size * 1.3 / (ax.get_position().height * ax.figure.get_figheight() * 72)
        small = font_size * 0.8
        self.header = ax.text(0, 1, "", fontsize=font_size * 1.05, weight="bold", va="top")
        self.gain = ax.text(0, 1 - 1.4 * line, "", fontsize=small, va="top")
        ax.text(0, 1 - 2.3 * line, f"fan_in = fan_out = {rec.width}", fontsize=small, va="top")
        y = 1 - 3.6 * line
        self.rules, self.numbers = [], []
        for key in rec.schemes:
            colour, marker, dash = SCHEME_STYLE[key]
            ax.plot([0.0, 0.07], [y - 0.4 * line] * 2, color=colour, ls=dash, lw=2.2)
            ax.plot([0.035], [y - 0.4 * line], color=colour, marker=marker, markersize=font_size * 0.5)
            ax.text(0.1, y, SCHEME_LABELS[key], fontsize=font_size * 0.9, weight="bold",
                    color=style.text_colour(colour), va="top")
            self.rules.append(ax.text(0.1, y - 0.95 * line, "", fontsize=small, va="top"))
            self.numbers.append(ax.text(0.1, y - 1.8 * line, "", fontsize=small, va="top", color="#222222",
                                        linespacing=1.1))
            y -= 4.0 * line
        self.artists = [self.header, self.gain, *self.rules, *self.numbers]

    def update(self, frame: int) -> None:
        a, phase, layer = self.movie.stop(frame)
        rec = self.movie.recording
        activation = rec.activations[a]
        self.header.set_text(f"activation: {activation}")
        written, value = GAIN_TEXT[activation], f"{rec.gain[a]:.4g}"
        self.gain.set_text(f"gain = {written}" + (f" = {value}" if value != written else "")
                           + (f"  (a = {rec.negative_slope:g})" if activation == "leaky_relu" else ""))
        drawn = max(layer, 1)   # layer 0 is the input: show the first layer's weights there
        for s, key in enumerate(rec.schemes):
            rule, filled = formula(key, rec.width, rec.width, rec.gain[a])
            self.rules[s].set_text(rule)
            measured = rec.weight_std[a, s, drawn - 1]
            self.numbers[s].set_text(f"{filled} = {rec.sigma[a, s]:.4f}\n"
                                     f"torch drew σ = {measured:.4f}  (layer {drawn})")


def _log_limits(rec: InitRecording) -> tuple[float, float]:
    values = np.concatenate([rec.act_std.ravel(), rec.grad_std.ravel()])
    values = values[np.isfinite(values) & (values > 0)]
    return values.min() / 3, values.max() * 3


def compose_init(movie: InitMovie, quality: Quality) -> tuple[Figure, list]:
    """A 16:9 figure: histograms on top, the two std curves below, the formulas on the right."""
    fig = figure(quality)
    size = style.FONT_SIZE
    rec = movie.recording
    with mpl.rc_context({"font.size": size}):
        titles(fig, movie.title, movie.subtitle, size)
        views: list = [PassView(fig, movie, size)]
        n = len(rec.schemes)
        left, right, gap = 0.04, 0.66, 0.025
        width = (right - left - gap * (n - 1)) / n
        for s in range(n):
            ax = fig.add_axes([left + s * (width + gap), 0.56, width, 0.16])
            views.append(HistogramView(ax, movie, s, size))
        limits = _log_limits(rec)
        for kind, rect, title in (("act", [0.07, 0.09, 0.27, 0.34], "activation std per layer →"),
                                  ("grad", [0.40, 0.09, 0.27, 0.34], "gradient std per layer ←")):
            ax = fig.add_axes(rect)
            ax.set_title(title, fontsize=size * 0.9, loc="left", pad=4)
            views.append(StdCurveView(ax, movie, kind, limits, size))
        views.append(FormulaView(fig.add_axes([0.69, 0.04, 0.30, 0.83]), movie, size))
    return fig, views
