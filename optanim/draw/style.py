"""One colour and one marker per optimizer, the same in every view, video and scene."""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Iterable

from matplotlib.colors import to_hex, to_rgb

from ..data.recording import Trajectory
from ..spec.runs import is_own

# Okabe–Ito, colour-blind safe; yellow left out (unreadable on white on a projector).
COLOURS = {
    "sgd": "#0072B2",
    "sgdm": "#D55E00",
    "adagrad": "#009E73",
    "rmsprop": "#CC79A7",
    "adam": "#E69F00",
    "adamax": "#56B4E9",
}
MARKERS = {"sgd": "o", "sgdm": "s", "adagrad": "^", "rmsprop": "D", "adam": "v", "adamax": "P"}
# For other torch.optim optimizers: Paul Tol's muted scheme (also colour-blind safe), by name hash
# so that "adamw" has the same colour in every scene.
EXTRA_COLOURS = ("#332288", "#882255", "#117733", "#44AA99", "#999933", "#AA4499", "#000000")
EXTRA_MARKERS = ("X", "*", "h", "<", ">", "p", "d")
# For a class of one's own (spec/runs.py: "own:<Class>"): colours and markers in none of the above,
# so that a student's optimizer never looks like a built-in; dark enough to read on white.
OWN_COLOURS = ("#CC3311", "#661100", "#EE3377", "#997700", "#6699CC", "#5D3A9B")
OWN_MARKERS = ("H", "8", "d", "p", "h", "X")

TRUE_COLOUR = "#000000"
START_COLOUR = "#444444"


def fitting_size(text: str, size: float, width_pt: float, weight: str = "normal") -> float:
    """The font size, at most `size`, at which the text (mathtext too) fits in width_pt points: a long
    label or formula shrinks rather than running into its neighbour or off the figure, but never below
    MIN_TEXT_PT, what a student reads at 480p (there it runs on instead)."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextPath

    natural = TextPath((0, 0), text, size=size, prop=FontProperties(weight=weight)).get_extents().width
    fitted = size if natural <= width_pt else size * width_pt / natural
    return max(fitted, min(size, MIN_TEXT_PT))


def minimum_look(local: bool, size: float) -> dict:
    """How a minimum is marked: a black star, hollow where it is only a local minimum."""
    look = dict(marker="*", color=TRUE_COLOUR, markersize=size)
    return look | dict(mfc="white", mew=1.2) if local else look


#: Figures are this many inches tall whatever the preset: fonts in points then scale with pixels.
FIGURE_HEIGHT_IN = 6.0
FONT_SIZE = 13
#: The smallest text a student must read, in points: a font size of 1/40 of the frame's height
#: (12 px at 480p, 27 px at 1080p), what a projected line needs to be read from the back row.
MIN_TEXT_PT = FIGURE_HEIGHT_IN * 72 / 40
#: The dashboard's text: its readout's smallest line (0.9 of this) is MIN_TEXT_PT.
DASHBOARD_FONT_SIZE = MIN_TEXT_PT / 0.9


#: WCAG AA: the least contrast against its background for text a student must read.
TEXT_CONTRAST = 4.5


def luminance(colour: str) -> float:
    """WCAG relative luminance: 0 for black, 1 for white."""
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in to_rgb(colour)]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(colour: str, background: str = "white") -> float:
    """WCAG contrast ratio of two colours, 1 (none) to 21 (black on white)."""
    lighter, darker = sorted((luminance(colour), luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def text_colour(colour: str, background: str = "white") -> str:
    """The colour, darkened (same hue) just enough to read as text on the background: the palette's
    pink and sky blue are fine for lines and markers but too light for words."""
    rgb = to_rgb(colour)
    for shade in (1 - i / 100 for i in range(101)):
        if contrast(to_hex([c * shade for c in rgb]), background) >= TEXT_CONTRAST:
            return to_hex([c * shade for c in rgb])
    return "#000000"  # a background too dark for any shade: the best there is


def _pick(key: str, known: dict[str, str], extra: tuple[str, ...]) -> str:
    return known.get(key) or extra[zlib.crc32(key.encode()) % len(extra)]


def colour(key: str) -> str:
    return _pick(key, {}, OWN_COLOURS) if is_own(key) else _pick(key, COLOURS, EXTRA_COLOURS)


def marker(key: str) -> str:
    return _pick(key, {}, OWN_MARKERS) if is_own(key) else _pick(key, MARKERS, EXTRA_MARKERS)


#: Line styles for a second, third... run of the same optimizer (the first is solid).
DASHES = ("-", "--", ":", "-.")


@dataclass(frozen=True)
class RunStyle:
    colour: str
    marker: str
    dash: str = "-"


def run_styles(paths: Iterable[Trajectory]) -> dict[str, RunStyle]:
    """Each run's style: its optimizer's colour and marker; repeated optimizers differ by dash. Two
    classes of one's own whose names pick the same colour take the next free one."""
    paths = list(paths)
    seen: dict[str, int] = {}
    taken = {colour(path.optimizer) for path in paths if not is_own(path.optimizer)}
    own: dict[str, tuple[str, str]] = {}
    styles = {}
    for path in paths:
        index = seen[path.optimizer] = seen.get(path.optimizer, -1) + 1
        look = (colour(path.optimizer), marker(path.optimizer))
        if is_own(path.optimizer) and path.optimizer not in own:
            first = OWN_COLOURS.index(look[0])
            free = [OWN_COLOURS[(first + i) % len(OWN_COLOURS)] for i in range(len(OWN_COLOURS))]
            look = own[path.optimizer] = (next((c for c in free if c not in taken), look[0]), look[1])
            taken.add(look[0])
        elif is_own(path.optimizer):
            look = own[path.optimizer]
        styles[path.key] = RunStyle(*look, DASHES[index % len(DASHES)])
    return styles


def shade(colour: str, amount: float) -> str:
    """The colour mixed towards black (amount < 0) or white (amount > 0) by |amount| (0 to 1): one
    optimizer's runs at a sweep's values keep its hue and go from dark to light."""
    rgb = to_rgb(colour)
    target = 0.0 if amount < 0 else 1.0
    return to_hex(tuple(c + (target - c) * abs(amount) for c in rgb))


#: --transparent: the halo round lines and letters, so that they read on a dark slide as on a light
#: one; in points beyond the artist's own width (half of it each side), white, nearly opaque.
HALO_PT = 2.2
HALO = (1.0, 1.0, 1.0, 0.85)
#: Artists lighter than this need no halo; nor do faint ones (grid lines, mini-batch losses): a halo
#: would make them stand out.
HALO_BELOW_LUMINANCE = 0.6


def see_through(fig) -> None:
    """The figure's background and its panels' faces transparent (the 3D panes too), and a thin halo
    round every dark line, marker and text: for clips laid over a slide of any colour. What covers a
    panel (the contour's fill, the surface) stays opaque: it is the data."""
    import numpy as np
    from matplotlib import patheffects
    from matplotlib.collections import LineCollection, PathCollection
    from matplotlib.lines import Line2D
    from matplotlib.spines import Spine
    from matplotlib.text import Text

    from .fasttext import CachedText

    fig.patch.set_alpha(0)
    for ax in fig.axes:
        ax.patch.set_alpha(0)
        for axis in (getattr(ax, name, None) for name in ("xaxis", "yaxis", "zaxis")):
            if axis is not None and hasattr(axis, "set_pane_color"):
                axis.set_pane_color((1, 1, 1, 0))

    def colours(artist) -> list:
        if isinstance(artist, Text):
            return [artist.get_color()]
        if isinstance(artist, Line2D):
            return [artist.get_color() if artist.get_linestyle() != "None" else artist.get_markeredgecolor()]
        edges = artist.get_edgecolor()   # a spine's one colour, or a collection's one per item
        return [edges] if isinstance(artist, Spine) else list(edges)

    def needs_halo(artist) -> bool:
        faint = artist.get_alpha() is not None and artist.get_alpha() < 1
        seen = colours(artist)
        return (artist.get_visible() and not faint and bool(seen)
                and min(luminance(to_hex(c)) for c in seen) < HALO_BELOW_LUMINANCE)

    # Lines, markers, text, spines, and the outlines of scatters and arrows; not the contours' lines
    # (the contour's fill lies behind them) nor the surface.
    kinds = (Text, Line2D, Spine, PathCollection, LineCollection)
    for artist in fig.findobj(lambda a: isinstance(a, kinds)):
        if not needs_halo(artist):
            continue
        width = 0.0 if isinstance(artist, Text) else float(np.max(artist.get_linewidth(), initial=0.0))
        # A trail is drawn a piece each frame: a butt end keeps the new piece's halo off the last
        # piece's line (a round or projecting one would nick it white at every frame's joint).
        ends = {} if isinstance(artist, (Text, Spine)) else dict(capstyle="butt")
        artist.set_path_effects([patheffects.withStroke(linewidth=width + HALO_PT, foreground=HALO, **ends)])
        if isinstance(artist, CachedText):   # drawn from cached glyphs: the same stroke, drawn there
            artist.halo = (HALO_PT, HALO)
