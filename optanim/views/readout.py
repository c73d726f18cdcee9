"""The legend and the numbers in one panel beside the plots: never over the data."""

from __future__ import annotations

from matplotlib.axes import Axes
from matplotlib.font_manager import FontProperties
from matplotlib.textpath import TextPath

from ..draw import style
from ..draw.fasttext import CachedText
from ..draw.pacing import marked
from ..draw.storyboard import Movie
from .base import OFF_PLANE, View, epoch_and_step, fmt
from .table import fit_number

#: The readout marks the pace ("×2.5") from this many times the video's average pace until it falls
#: below the second: where the steps fly past, not where a head is drawn out over a long step.
FAST_ON, FAST_OFF = 1.5, 1.2

#: Lines each optimizer takes (label, value, gap): roomy, or tighter where roomy would not fit.
RUN_SPACINGS = (2.3, 2.0, 1.85)
#: A network's numbers, in columns under their names: its real loss, the plane's under its head, how
#: far off the plane it is, and (for classes) its test accuracy; and what the names mean, where room.
NUMBER_WIDTH = 7
FOOTNOTES = ("loss: the network's real loss", "plane: the plane's loss below it", "off: how far off the plane",
             f"hollow head: over {OFF_PLANE:.0%} off")
#: The same in two lines, where four have no room: a key cut after its first line explains one column.
SHORT_FOOTNOTES = ("loss: its own · plane: below it", f"off: off the plane; hollow: >{OFF_PLANE:.0%}")


def percent(share: float) -> str:
    """A share as a whole percentage, in at most five characters."""
    return f"{share:.0%}" if share < 9.995 else ">999%"


def network_columns(classes: bool) -> str:
    return f"{'loss':<{NUMBER_WIDTH}} {'plane':<{NUMBER_WIDTH}} {'off':>5}" + (f" {'acc':>4}" if classes else "")


def network_numbers(path, step: int) -> str:
    """A network run's numbers at a step, in network_columns' columns."""
    text = (f"{fit_number(float(path.full_loss[step]), NUMBER_WIDTH):<{NUMBER_WIDTH}} "
            f"{fit_number(float(path.plane_loss[step]), NUMBER_WIDTH):<{NUMBER_WIDTH}} "
            f"{percent(float(path.off_plane[step])):>5}")
    return text + (f" {path.accuracy[step]:>4.0%}" if path.accuracy is not None else "")


class ReadoutView(View):
    """The legend and the numbers in one panel beside the plots: never over the data."""

    name = "readout"

    def __init__(self, ax: Axes, movie: Movie, font_size: float = style.FONT_SIZE) -> None:
        super().__init__(ax, movie)
        ax.set_axis_off()
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        rec = movie.recording
        self.total = f"/{rec.epochs}"
        # Lay rows out in font units, so the panel reads the same in every figure and preset.
        box = ax.get_position()
        height_pt = box.height * ax.figure.get_figheight() * 72
        width_pt = box.width * ax.figure.get_figwidth() * 72
        line = font_size * 1.25 / height_pt
        mono = dict(family="DejaVu Sans Mono", va="top", weight="bold", fontsize=font_size * 1.05)
        self.epoch = ax.add_artist(CachedText(0.0, 1.0, "", **mono))
        # Without data an epoch is a step: the step line alone, at the top.
        step_y = 1.0 - (1.1 * line if rec.has_data else 0.0)
        self.step = ax.add_artist(CachedText(0.0, step_y, "", **mono))
        # "×6" beside the step counter where the video runs fast: two characters and a half after
        # its longest text (cached glyph cells round up to whole pixels).
        self.step.set_text(f"step {rec.n_steps - 1}/{rec.n_steps - 1}")
        ends = self.step.get_window_extent()
        after = ends.x1 + 2.5 * ends.width / len(self.step.get_text())
        self.step.set_text("")
        self.pace = ax.add_artist(CachedText(ax.transAxes.inverted().transform((after, 0))[0], step_y, "", **mono))
        self.fast = marked(movie.timeline.pace, FAST_ON, FAST_OFF)
        top = 3.0 if rec.has_data else 1.9
        # A network's numbers stand in columns, named once above the runs.
        self.network = rec.plane is not None
        columns = network_columns(rec.task == "classes") if self.network else ""
        top += bool(columns)
        y = 1.0 - top * line
        # Two lines per optimizer where there is room, one (label, then value) where there is not.
        answers = [p for p in movie.minima if p not in movie.local_minima]
        below = 0.3 + 1.3 * (1 + bool(answers) + bool(movie.local_minima))
        # A run whose step() takes a closure (L-BFGS) has a line more: its evaluations at the shown step.
        counted = [key for key, path in rec.paths.items() if path.evaluations is not None]
        spacing = next((s for s in RUN_SPACINGS if top + s * len(rec.paths) + len(counted) + below <= 1.0 / line),
                       None)
        compact = spacing is None
        # A long label (a run's own name and rate) shrinks only to leave its value room beside it (a
        # loss's widest, in the values' font), or to stay on the panel.
        value = TextPath((0, 0), columns or "loss 0.009081", size=font_size * 0.9,
                         prop=FontProperties(family="DejaVu Sans Mono"))
        room = (0.85 * width_pt - value.get_extents().width) if compact else 0.87 * width_pt
        rows = {}
        for key, path, colour, marker in self.paths():
            ax.plot([0.03], [y], marker=marker, color=colour, markersize=font_size * 0.8, clip_on=False)
            # ...but never below what a student can read (the values then start after it).
            size = max(style.fitting_size(path.label, font_size, room, "bold"), min(font_size, style.MIN_TEXT_PT))
            rows[key] = (y, ax.text(0.09, y, path.label, fontsize=size, color=style.text_colour(colour),
                                    weight="bold", va="center"))
            y -= (1.25 if compact else spacing) * line + (line if key in counted else 0.0)
        # On one line, the values start clear of the widest label.
        ends = [ax.transAxes.inverted().transform(label.get_window_extent().p1)[0] for _, label in rows.values()]
        column = max([0.55] + [end + 0.04 for end in ends]) if compact else 0.09
        self.values = {key: ax.add_artist(CachedText(
            column, row_y if compact else row_y - line, "", fontsize=font_size * 0.9, va="center",
            family="DejaVu Sans Mono", color="#222222")) for key, (row_y, _) in rows.items()}
        self.evaluations = {key: ax.add_artist(CachedText(
            0.09, rows[key][0] - (1.0 if compact else 2.0) * line, "", fontsize=font_size * 0.9, va="center",
            family="DejaVu Sans Mono", color="#222222")) for key in counted}
        if columns:
            ax.text(column, 1.0 - (top - 1) * line, columns, fontsize=font_size * 0.9, va="center",
                    family="DejaVu Sans Mono", color="#555555")
        y -= 0.3 * line
        ax.plot([0.03], [y], marker="o", mfc="none", mec=style.START_COLOUR, mew=2,
                markersize=font_size * 0.8)
        start = "start, the same weights for all" if self.network else f"start ({movie.init[0]:g}, {movie.init[1]:g})"
        ax.text(0.09, y, start, fontsize=style.fitting_size(start, font_size * 0.9, 0.89 * width_pt), va="center")
        for points, local in ((answers, False), (list(movie.local_minima), True)):
            if not points:
                continue
            y -= 1.3 * line
            ax.plot([0.03], [y], **style.minimum_look(local, font_size))
            name = ("true" if rec.has_data else
                    ("local " if local else "") + ("minima" if len(points) > 1 else "minimum"))
            where = ", ".join(f"({a:.3g}, {b:.3g})" for a, b in points[:2])
            more = f" +{len(points) - 2}" if len(points) > 2 else ""
            text = f"{name} {where}{more}"
            ax.text(0.09, y, text, fontsize=style.fitting_size(text, font_size * 0.9, 0.89 * width_pt), va="center")
        # What a network's columns mean: the whole key where it has room, else the short one, else none.
        for notes in (FOOTNOTES, SHORT_FOOTNOTES) if self.network else ():
            rows = [y - (0.4 + 1.1 * (i + 1)) * line for i in range(len(notes))]
            sizes = [style.fitting_size(note, font_size * 0.9, 0.97 * width_pt) for note in notes]
            if rows[-1] >= 0.5 * line and all(TextPath((0, 0), note, size=size).get_extents().width <= width_pt
                                              for note, size in zip(notes, sizes)):
                for note, row, size in zip(notes, rows, sizes):
                    ax.text(0.0, row, note, fontsize=size, va="center", color="#555555")
                break
        self.artists = [self.epoch, self.step, self.pace, *self.values.values(), *self.evaluations.values()]

    def update(self, frame: int) -> None:
        epoch, step = epoch_and_step(self.movie, frame)
        rec = self.movie.recording
        if rec.has_data:
            self.epoch.set_text(f"epoch {epoch}{self.total}")
        self.step.set_text(f"step {step}/{rec.n_steps - 1}")
        pace = self.movie.timeline.pace[frame]
        self.pace.set_text((f"×{pace:.1f}" if pace < 3 else f"×{pace:.0f}") if self.fast[frame] else "")
        for key, path in rec.paths.items():
            text, diverged = run_value(self.movie, key, frame)
            if self.network and not diverged:   # its columns: loss, loss in the plane, off the plane...
                text = network_numbers(path, self.movie.step(key, frame))
            self.values[key].set_text(text)
            self.values[key].set_color(DIVERGED if diverged else "#222222")
            if key in self.evaluations:   # what the shown step cost: L-BFGS's line search, say
                shown = int(path.evaluations[self.movie.step(key, frame)]) if len(path.evaluations) else 0
                self.evaluations[key].set_text(f"{shown} evaluation{'s' * (shown != 1)}")


#: The colour of "diverged at step N".
DIVERGED = "#B00000"


def run_value(movie: Movie, key: str, frame: int) -> tuple[str, bool]:
    """What the readout says of one run at this frame: its loss over everything, or where it
    diverged (and True); the web page's readout says the same."""
    path = movie.recording.paths[key]
    if path.diverged and movie.timeline.whole(frame) >= path.diverged_at:
        return f"diverged at step {path.diverged_at}", True
    return f"loss {fmt(path.full_loss[movie.step(key, frame)])}", False
