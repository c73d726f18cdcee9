"""A web page per view (--format html): the video inline, and the player a lecture needs.

One self-contained file: the video as data, the script and the styles inline, nothing fetched. The
page steps through what the video shows by the recorded steps, not by frames: each step shown once
(a fast stretch shows a step for one frame, a long step for several), the arrow keys go to the
previous or next of them, the scrubber runs over them, and beside the video each run's loss at the
step shown reads as the video's own readout does.
"""

from __future__ import annotations

import base64
import html
import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..data.recording import report_html
from ..draw import style
from ..draw.storyboard import Movie
from ..stage.grid import Grid
from ..views.readout import DIVERGED, run_value
from .base import Writer
from .containers import html_script
from .ffmpeg import concat


@dataclass(frozen=True)
class Shown:
    """One recorded step the video shows: from its first frame, what the readout says there."""

    step: int
    frame: int
    label: str                            # "step 12 / 25 · epoch 1 / 2"
    values: tuple[tuple[str, bool], ...]  # each run's text, and whether it has diverged


@dataclass(frozen=True)
class Run:
    label: str
    colour: str
    marker: str   # the run's marker as a character


#: matplotlib's markers as characters, for the page's legend (another marker shows as a dot).
MARKER_GLYPHS = {"o": "●", "s": "■", "^": "▲", "D": "◆", "v": "▼", "P": "✚", "X": "✖", "*": "★",
                 "h": "⬢", "<": "◀", ">": "▶", "p": "⬟", "d": "◆"}


@dataclass(frozen=True)
class Player:
    """What the page needs of an animation: which shown step each frame is, and the readouts."""

    title: str
    subtitle: str
    fps: float
    frames: tuple[int, ...]     # frame -> index into `shown`
    shown: tuple[Shown, ...]
    runs: tuple[Run, ...]
    tables: str                 # the results, as HTML


def player_of(stage: Movie | Grid, fps: float) -> Player:
    """The steps a movie (or a grid of them, on the clock of its longest) shows, and every run's readout
    at each; a grid's runs are labelled by their panel."""
    panels = [(p.title, p.movie) for p in stage.panels] if isinstance(stage, Grid) else [("", stage)]
    lead = max((movie for _, movie in panels), key=lambda m: m.recording.n_steps)
    whole = np.floor(lead.timeline.steps).astype(int)
    steps, firsts = np.unique(whole, return_index=True)
    runs = tuple(Run(f"{title} · {path.label}" if title else path.label,
                     style.text_colour(movie.styles[key].colour), MARKER_GLYPHS.get(movie.styles[key].marker, "●"))
                 for title, movie in panels for key, path in movie.recording.paths.items())
    shown = tuple(Shown(int(step), int(frame), step_label(lead, int(step)),
                        tuple(run_value(movie, key, int(frame)) for _, movie in panels for key in movie.recording.paths))
                  for step, frame in zip(steps, firsts))
    tables = "".join((f"<h3>{html.escape(title)}</h3>" if title else "") + report_html(movie.recording)
                     for title, movie in panels)
    return Player(title=stage.title, subtitle=stage.subtitle, fps=fps,
                  frames=tuple(int(i) for i in np.searchsorted(steps, whole)), shown=shown, runs=runs,
                  tables=tables)


def step_label(movie: Movie, step: int) -> str:
    """"step N / M", and the epoch where the scene has epochs, as the video's readout counts them."""
    rec = movie.recording
    text = f"step {step} / {rec.n_steps - 1}"
    if rec.has_data:
        text += f" · epoch {step // rec.steps_per_epoch + 1} / {rec.epochs}"
    return text


class HtmlWriter(Writer):
    """<view>.html: an H.264 video (a keyframe a second, for quick seeks) drawn like the MP4, then the
    page around it."""

    fmt = "html"

    def __init__(self, stage: Movie | Grid) -> None:
        self.stage = stage

    def sinks(self, job, partial, part):
        return [job.pipe(job.scratch / ("page.mp4" if part is None else f"page{part}.mp4"), "html")]

    def finish(self, job, partial, parts, animator, last, last_index):
        video = job.scratch / "page.mp4"
        if parts:
            concat([job.scratch / f"page{k}.mp4" for k in range(parts)], video)
        partial.write_text(page(player_of(self.stage, job.fps), video.read_bytes(), job.stamp(self.fmt)),
                           encoding="utf-8")


def page(player: Player, video: bytes, manifest: str | None = None) -> str:
    """The whole page as text: `video` (an MP4) inline as base64; `manifest`, JSON, kept in it as data."""
    data = {"fps": player.fps, "frames": player.frames, "diverged": DIVERGED,
            "shown": [{"step": s.step, "frame": s.frame, "label": s.label, "values": s.values}
                      for s in player.shown]}
    rows = "".join(f'<li style="color:{r.colour}"><span class="marker" aria-hidden="true">{r.marker}</span>'
                   f'<span class="label">{html.escape(r.label)}</span> '
                   f'<span class="value"></span></li>' for r in player.runs)
    ticks = "".join(f'<span style="left:{100 * i / max(1, len(player.shown) - 1):.3f}%">'
                    f'{player.shown[i].step}</span>' for i in tick_indices(len(player.shown)))
    kept = html_script(manifest) + "\n" if manifest else ""
    values = {"title": html.escape(player.title), "subtitle": html.escape(player.subtitle), "rows": rows,
              "ticks": ticks, "tables": player.tables, "last": str(len(player.shown) - 1), "manifest": kept,
              "data": script_safe(json.dumps(data, separators=(",", ":"))),
              "video": base64.b64encode(video).decode("ascii")}
    # One pass: a label that happens to read "{video}" stays as it is.
    return re.sub(r"\{(" + "|".join(values) + r")\}", lambda m: values[m.group(1)], TEMPLATE)


def tick_indices(n: int, most: int = 6) -> list[int]:
    """Which of n shown steps label the scrubber: the first, the last, and evenly between."""
    return sorted({round(i * (n - 1) / (most - 1)) for i in range(most)}) if n > 1 else [0]


def script_safe(text: str) -> str:
    """JSON inside a <script> element: "</" would end the element early."""
    return text.replace("</", "<\\/")


TEMPLATE = Path(__file__).with_name("player.html").read_text(encoding="utf-8")
