"""A slide deck of one scene (--format pptx, with python-pptx): a title slide, one slide per view with
its video embedded behind a poster of its last frame (the whole paths, not a blank start), the
results as a real table, and speaker notes on every slide. 16:9, fonts readable from the back row.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from pptx import Presentation
from pptx.util import Emu, Inches, Pt

from .atomic import atomic_target
from .containers import embed

#: 16:9 at PowerPoint's own widescreen size.
WIDTH, HEIGHT = Emu(12192000), Inches(7.5)   # 13 1/3 by 7 1/2 inches, exactly
MARGIN = Inches(0.4)
HEADING_HEIGHT = Inches(0.9)
#: Points: a title, a subtitle, a slide's heading, a table's cells (smaller where it has many rows).
TITLE_PT, SUBTITLE_PT, HEADING_PT, CELL_PT, SMALL_CELL_PT = 40, 24, 28, 18, 14
#: Rows a table shows at CELL_PT; more and its cells shrink to SMALL_CELL_PT.
ROOMY_ROWS = 10
#: The blank layout of python-pptx's default template: every box is placed here, for 16:9.
BLANK = 6
#: python-pptx's core properties take at most this many characters.
PROPERTY_CHARS = 255


@dataclass(frozen=True)
class Table:
    """A results table: its caption, header and rows, as text."""

    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class ViewSlide:
    """One view's slide: its heading, the video (H.264 MP4) and its poster (a PNG of the same size)."""

    heading: str
    video: Path
    poster: Path
    size: tuple[int, int]


@dataclass(frozen=True)
class DeckText:
    """What the deck says beyond its videos: the speaker notes, and the results tables."""

    notes: str
    tables: tuple[Table, ...]


def write_deck(target: Path, title: str, subtitle: str, slides: Sequence[ViewSlide], text: DeckText,
               manifest: str | None = None) -> Path:
    """The deck at `target`, complete or not at all (an earlier one is kept on any failure)."""
    deck = Presentation()
    deck.slide_width, deck.slide_height = WIDTH, HEIGHT
    deck.core_properties.title = title[:PROPERTY_CHARS]
    deck.core_properties.subject = subtitle[:PROPERTY_CHARS]
    first = _slide(deck, text.notes)
    _text(first, title, Inches(2.3), Inches(1.6), TITLE_PT, bold=True)
    _text(first, subtitle, Inches(4.0), Inches(1.4), SUBTITLE_PT)
    for view in slides:
        slide = _slide(deck, text.notes)
        _text(slide, view.heading, MARGIN / 2, HEADING_HEIGHT, HEADING_PT, bold=True)
        width, height = _fit(view.size, WIDTH - 2 * MARGIN, HEIGHT - HEADING_HEIGHT - MARGIN)
        slide.shapes.add_movie(str(view.video), (WIDTH - width) // 2, HEADING_HEIGHT, width, height,
                               poster_frame_image=str(view.poster), mime_type="video/mp4")
    for table in text.tables:
        _table(_slide(deck, text.notes), table)
    with atomic_target(target) as partial:
        deck.save(str(partial))
        if manifest is not None:
            embed(partial, manifest)
    return target


def _slide(deck, notes: str):
    slide = deck.slides.add_slide(deck.slide_layouts[BLANK])
    slide.notes_slide.notes_text_frame.text = notes
    return slide


def _text(slide, text: str, top: int, height: int, size: int, bold: bool = False) -> None:
    frame = slide.shapes.add_textbox(MARGIN, top, WIDTH - 2 * MARGIN, height).text_frame
    frame.word_wrap = True
    frame.text = text
    for paragraph in frame.paragraphs:
        for run in paragraph.runs:
            run.font.size, run.font.bold = Pt(size), bold


def _fit(size: tuple[int, int], width: int, height: int) -> tuple[Emu, Emu]:
    """The largest box of the video's proportions inside width x height."""
    scale = min(width / size[0], height / size[1])
    return Emu(int(size[0] * scale)), Emu(int(size[1] * scale))


def _table(slide, table: Table) -> None:
    _text(slide, table.caption, MARGIN / 2, HEADING_HEIGHT, HEADING_PT, bold=True)
    rows, columns = len(table.rows) + 1, len(table.header)
    size = CELL_PT if rows <= ROOMY_ROWS + 1 else SMALL_CELL_PT
    row_height = Pt(size * 2)
    shape = slide.shapes.add_table(rows, columns, MARGIN, HEADING_HEIGHT, WIDTH - 2 * MARGIN, row_height * rows)
    grid = shape.table
    # Each column as wide as its longest text (the status "diverged at step 13 (left the window)" most);
    # the labels' letters are wider than the digits of the numbers.
    lengths = [max(len(cells[c]) for cells in (table.header, *table.rows)) * (1.3 if c == 0 else 1) + 3
               for c in range(columns)]
    for c, length in enumerate(lengths):
        grid.columns[c].width = Emu(int((WIDTH - 2 * MARGIN) * length / sum(lengths)))
    for r, cells in enumerate((table.header, *table.rows)):
        for c, value in enumerate(cells):
            cell = grid.cell(r, c)
            cell.text = value
            for paragraph in cell.text_frame.paragraphs:
                for run in paragraph.runs:
                    run.font.size, run.font.bold = Pt(size), r == 0
