"""What a student reads on the frames: whole markers, legible text, labels that never overlap."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

import optanim
from optanim.draw import style
from optanim.stage.animator import Animator
from optanim.stage.layout import compose
from optanim.draw.storyboard import describe
from optanim.spec.quality import QUALITIES
from optanim.render import build_movie
from optanim.views.contour import CONTOUR_FILL, LABEL_COLOUR
from optanim.draw.pacing import marked
from optanim.views.readout import FAST_OFF, FAST_ON

SCENES = Path(__file__).resolve().parent.parent / "scenes"


@pytest.fixture(scope="module")
def exp5():
    scene = optanim.load_scene(SCENES / "exp5.py")
    return scene, optanim.record(scene)


def drawn(view: str, scene, recording, quality: str, frame: int):
    """The figure and panels of `view` with frame `frame` drawn (negative: from the end of the motion)."""
    movie = build_movie(scene, recording, QUALITIES[quality])
    motion = round(scene.duration * QUALITIES[quality].fps)
    fig, panels = compose(view, movie, QUALITIES[quality])
    Animator(fig, panels).frame(frame % motion)
    return fig, panels


def overlapping(boxes) -> list:
    return [(a, b) for a, b in itertools.combinations(boxes, 2) if a.overlaps(b)]


def panel(panels, name: str):
    return next(p for p in panels if p.name == name)


@pytest.mark.parametrize("colour", [*style.COLOURS.values(), *style.EXTRA_COLOURS])
def test_text_in_a_run_colour_reads_on_white(colour):
    """WCAG AA (4.5:1) for words; a colour that already passes is left as it is."""
    text = style.text_colour(colour)
    assert style.contrast(text) >= style.TEXT_CONTRAST
    if style.contrast(colour) >= style.TEXT_CONTRAST:
        assert text == colour.lower()


def test_contrast_is_wcag():
    assert style.contrast("black") == pytest.approx(21.0)
    assert style.contrast("#777777") == pytest.approx(4.48, abs=0.01)   # the well-known AA edge
    assert style.contrast("#CC79A7") < style.TEXT_CONTRAST               # why text_colour exists


def test_contour_labels_read_on_the_greyest_hill():
    assert style.contrast(LABEL_COLOUR, CONTOUR_FILL(1.0)[:3]) >= style.TEXT_CONTRAST


@pytest.mark.parametrize("view,quality", [("contour", "l"), ("dashboard", "l"), ("dashboard", "m")])
def test_readout_words_read_and_stand_clear(exp5, view, quality):
    """Every optimizer's name in a colour a student can read, clear of its loss value."""
    scene, recording = exp5
    fig, panels = drawn(view, scene, recording, quality, -1)
    readout = panel(panels, "readout")
    renderer = FigureCanvasAgg(fig).get_renderer()
    names = {t.get_text(): t for t in readout.ax.texts}
    for key, path in recording.paths.items():
        name = names[path.label]
        assert style.contrast(name.get_color()) >= style.TEXT_CONTRAST, path.label
        label, value = (t.get_window_extent(renderer) for t in (name, readout.values[key]))
        space = name.get_fontsize() * 0.35 * fig.dpi / 72  # a space of its font: apart, not touching
        assert value.x0 >= label.x1 + space or value.y1 <= label.y0 + 1, path.label  # beside it, or below
    boxes = [t.get_window_extent(renderer) for t in readout.values.values()]
    assert not overlapping(boxes)
    motion = round(scene.duration * QUALITIES[quality].fps)
    pace = readout.movie.timeline.pace[motion - 1]
    assert pace >= 3 and readout.pace.get_text() == f"×{pace:.0f}"     # exp5 ends in fast motion
    step, pace = (t.get_window_extent(renderer) for t in (readout.step, readout.pace))
    assert pace.x0 > step.x1 and pace.x1 < fig.bbox.x1


def test_readout_pace_is_blank_at_the_average_pace_and_after(exp5):
    scene, recording = exp5
    for frame in (0, -1):
        fig, panels = drawn("contour", scene, recording, "l", frame)
        readout = panel(panels, "readout")
        fast = marked(readout.movie.timeline.pace, FAST_ON, FAST_OFF)[frame % 150]
        assert (readout.pace.get_text() != "") == fast and fast == (frame == -1)
    hold = round(scene.duration * 15) + 1
    movie = build_movie(scene, recording, QUALITIES["l"])
    fig, panels = compose("contour", movie, QUALITIES["l"])
    Animator(fig, panels).frame(hold)
    assert panel(panels, "readout").pace.get_text() == ""


@pytest.mark.parametrize("quality", ["l", "m"])
@pytest.mark.parametrize("view", ["contour", "dashboard"])
def test_contour_labels_do_not_overlap(exp5, view, quality):
    """Over the whole window (the first frame) and zoomed in (the last), the labels in view."""
    scene, recording = exp5
    for frame in (0, -1):
        fig, panels = drawn(view, scene, recording, quality, frame)
        contour = panel(panels, "contour")
        renderer = FigureCanvasAgg(fig).get_renderer()
        shown = [text for _, texts in contour.layers for text in texts if text.get_visible()]
        boxes = [text.get_window_extent(renderer) for text in shown]
        assert len(boxes) >= (3 if frame == 0 else 1)          # labelled, not stripped bare
        assert not overlapping(boxes)
        window = contour.ax.get_window_extent(renderer)
        assert all(window.x0 <= b.x0 and b.x1 <= window.x1 and window.y0 <= b.y0 and b.y1 <= window.y1
                   for b in boxes)
        assert min(text.get_fontsize() for text in shown) >= 8


@pytest.mark.parametrize("view", ["loss", "lr"])
@pytest.mark.parametrize("frame", [0, -1])
def test_current_step_markers_are_drawn_whole(exp5, view, frame):
    """At the first and last step the loss and lr markers sit on the panel's edge: never cut in half."""
    scene, recording = exp5
    fig, panels = drawn(view, scene, recording, "l", frame)
    renderer = FigureCanvasAgg(fig).get_renderer()
    heads = list(panel(panels, view).heads.values())
    assert heads
    for head in heads:
        box = head.get_window_extent(renderer)
        assert not head.get_clip_on()
        assert fig.bbox.x0 <= box.x0 and box.x1 <= fig.bbox.x1 and fig.bbox.y0 <= box.y0 and box.y1 <= fig.bbox.y1


@pytest.mark.parametrize("view,quality", [("dashboard", "l"), ("surface", "l"), ("dashboard", "m")])
def test_surface_axes_label_the_loss_and_keep_ticks_apart(exp5, view, quality):
    """The loss axis is labelled, its ticks few, and at any azimuth no tick label of one axis runs
    into another's."""
    scene, recording = exp5
    fig, panels = drawn(view, scene, recording, quality, 0)
    ax = panel(panels, "surface").ax
    assert ax.get_zlabel() == "loss"
    assert 1 <= len(ax.get_zticks()) <= 2
    renderer = FigureCanvasAgg(fig).get_renderer()
    for azimuth in range(0, 360, 45):
        ax.view_init(elev=scene.elevation, azim=azimuth)
        ax.draw(renderer)  # lays its ticks out for this azimuth (get_ticklabels() would undo it)
        boxes = [tick.label1.get_window_extent(renderer) for axis in (ax.xaxis, ax.yaxis, ax.zaxis)
                 for tick in axis.majorTicks if tick.label1.get_visible() and tick.label1.get_text()]
        assert len(boxes) >= 3
        assert not overlapping(boxes), azimuth


@pytest.mark.parametrize("name", ["exp1", "exp2", "exp3", "exp4", "exp5", "diverge"])
def test_titles_leave_the_numbers_to_the_subtitle(name):
    """The title says what the experiment shows; the hyperparameters are the subtitle's, once."""
    scene = optanim.load_scene(SCENES / f"{name}.py")
    numbers = lambda text: set(re.findall(r"(?<![\w.])\d+(?:\.\d+)?(?![\w.])", text))  # noqa: E731
    assert not numbers(scene.title.split(":", 1)[-1]) & numbers(describe(scene))
