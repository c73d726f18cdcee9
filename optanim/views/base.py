"""What every view shares: set artists up once, then update(frame) moves only the animated ones."""

from __future__ import annotations

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes

from ..data.recording import Trajectory
from ..draw.storyboard import Movie

#: The kinds of scene (Scene.kind): two parameters fitted to data, a function of two, a network on
#: classes, a network on values. A view says which it means something for.
KINDS = frozenset({"data", "loss", "classes", "regression"})
#: Why a view does not apply, by what it needs, for the one-line error.
NEEDS = {frozenset({"data", "regression"}): "shows the model's fit to 1-D data, and this scene has none",
         frozenset({"data", "loss"}): "shows the two parameters' own gradient and state, which a network's "
                                      "plane does not have",
         frozenset({"classes"}): "shows a classifier's classes, and this scene has none",
         frozenset({"data", "classes", "regression"}): "shows mini-batches, and this scene has none"}


class View:
    """A view draws its static parts in __init__ and lists in `artists` what update() changes.

    Lines that only grow (a path, a loss curve) go in `trails` instead: grow() gives them just the
    points added since the step already drawn, and the Animator bakes them into its background, so
    a frame costs the same at step 15,000 as at step 10.
    """

    name = ""
    title = ""
    title_without_data = ""     # where the scene minimises a function: no "all data" to speak of
    three_d = False
    kinds = KINDS               # the scenes it means something for (the fit: 1-D data only)
    by_default = True           # rendered where no views are named (else only when asked for)
    needs_field = False         # the view shows a scene's many starts (movie.field)
    readout = True              # the readout panel beside it; False: the view takes the width

    def __init__(self, ax: Axes, movie: Movie) -> None:
        self.ax, self.movie = ax, movie
        self.title = self.title_of(movie.recording.has_data)
        self.artists: list[Artist] = []
        self.trails: list[Artist] = []

    @classmethod
    def why_not(cls, kind: str) -> str:
        """"" where the view applies to a scene of this kind, else why not."""
        return "" if kind in cls.kinds else NEEDS.get(cls.kinds, f"is not drawn for a scene of kind {kind!r}")

    @classmethod
    def title_of(cls, has_data: bool) -> str:
        """The panel's title for a scene with data, or without."""
        return cls.title if has_data or not cls.title_without_data else cls.title_without_data

    def update(self, frame: int) -> None:
        raise NotImplementedError

    def move_camera(self, frame: int) -> bool:
        """Point the axes at this frame's window; True if that moved them: what the Animator cached
        of this view (its background, the trails baked into it) must then be drawn again."""
        return False

    def grow(self, since: int, frame: int) -> None:
        """Set the trails to the points after step `since` (-1: from the start) up to the frame."""

    def segment(self, key: str, since: int, frame: int) -> slice:
        """The steps of one optimizer's trail to draw: from `since` (to join up) to the frame's step."""
        return slice(max(0, min(since, self.movie.step(key, frame))), self.movie.step(key, frame) + 1)

    def paths(self):
        """(key, path, colour, marker) for each run, in the scene's order."""
        for key, path in self.movie.recording.paths.items():
            look = self.movie.styles[key]
            yield key, path, look.colour, look.marker


def aim(ax: Axes, window: np.ndarray) -> bool:
    """Set a 2D axes' limits to the window (a_min, a_max, b_min, b_max); True if they changed."""
    if np.array_equal((*ax.get_xlim(), *ax.get_ylim()), window):
        return False
    ax.set_xlim(window[0], window[1])
    ax.set_ylim(window[2], window[3])
    return True


def head_marker(ax: Axes, colour: str, marker: str, size: float) -> Artist:
    """The marker at the head of a path or curve: the optimizer's shape, outlined to stand out, and
    whole even where it sits on the panel's edge (the loss at step 0, the lr at its corners)."""
    head, = ax.plot(*([[]] * (3 if hasattr(ax, "zaxis") else 2)), marker=marker, color=colour,
                    markersize=size, mec="white", mew=1, linestyle="none", zorder=4, clip_on=False)
    return head


#: A network's head that is off its plane by more than this share of its distance from the start is
#: drawn hollow: the plane's loss under it is not its own.
OFF_PLANE = 0.5


def mark_off_plane(head: Artist, path: Trajectory, step: int) -> None:
    """A head on its plane filled (white rim), one far off it (off_plane > OFF_PLANE) hollow: white
    inside, ringed in its colour."""
    off = path.off_plane is not None and 0 <= step < len(path.off_plane) and path.off_plane[step] > OFF_PLANE
    colour = head.get_color()
    head.set_markerfacecolor("white" if off else colour)
    head.set_markeredgecolor(colour if off else "white")
    head.set_markeredgewidth(2 if off else 1)


def label_axes(ax: Axes, labels: tuple[str, str]) -> None:
    """The plane's axis labels (a network's directions, or a and b), each broken at the space nearest
    its middle where it is longer than its axis."""
    for axis, text, along in ((ax.xaxis, labels[0], 0), (ax.yaxis, labels[1], 1)):
        axis.set_label_text(text)
        spaces = [i for i, c in enumerate(text) if c == " "]
        extent, room = axis.label.get_window_extent(), ax.get_window_extent()
        if spaces and (extent.width, extent.height)[along] > (room.width, room.height)[along]:
            middle = min(spaces, key=lambda i: abs(2 * i - len(text)))
            axis.set_label_text(f"{text[:middle]}\n{text[middle + 1:]}")


def axis_words(label: str) -> str:
    """An axis label in its fewest words, for the crowded axes of the 3D view: without its
    parenthesis or a leading "to" or "random" ("adam's end", "PC1", "direction 1")."""
    words = label.split(" (")[0]
    return words.removeprefix("to ").removeprefix("random ") or words


def fmt(value: float) -> str:
    """A loss or rate as a lecturer reads it: four significant figures."""
    return f"{value:.4g}"


def epoch_and_step(movie: Movie, frame: int) -> tuple[int, int]:
    """1-based epoch and 0-based step of the frame, as the readout shows them."""
    step = movie.timeline.whole(frame)
    return step // movie.recording.steps_per_epoch + 1, step
