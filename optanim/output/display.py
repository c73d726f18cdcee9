"""Rendered files that show themselves inline in Jupyter, and print as paths anywhere else.

Jupyter asks an object for `_repr_html_` / `_repr_mimebundle_` (IPython's display protocol), so
nothing here imports IPython: the same objects work in a script, where only `repr` is used.
"""

from __future__ import annotations

import base64
import html
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable
from urllib.parse import quote

from tqdm import tqdm

#: Files up to this size are embedded in the page as base64, so a saved notebook keeps its videos;
#: larger ones are linked by path (base64 adds a third, and a notebook of 100 MB will not open).
EMBED_LIMIT = 25 * 10**6

VIDEO_TYPES = {".mp4": "video/mp4", ".webm": "video/webm"}
IMAGE_TYPES = {".gif": "image/gif", ".png": "image/png", ".svg": "image/svg+xml"}


def size_text(path: Path) -> str:
    """The file's size for people, e.g. '1.23MB', or 'missing'."""
    return tqdm.format_sizeof(path.stat().st_size, "B") if path.is_file() else "missing"


def _source(path: Path, mime: str) -> str:
    """A data URI of the file when small enough, else its path relative to the working folder
    (where Jupyter serves files from, for a notebook started in its own folder)."""
    if path.stat().st_size <= EMBED_LIMIT:
        return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"
    return _href(path)


def _href(path: Path) -> str:
    try:
        relative = Path(os.path.relpath(path))
    except ValueError:  # Windows: another drive has no relative path
        relative = path
    return quote(relative.as_posix())


@dataclass(frozen=True, repr=False)
class Media:
    """One rendered file: a video or image inline in Jupyter, its path and size elsewhere.

    os.PathLike, so code that treats a result as a path (open, Path, shutil) keeps working."""

    path: Path

    def __post_init__(self) -> None:
        object.__setattr__(self, "path", Path(self.path))

    def __fspath__(self) -> str:
        return os.fspath(self.path)

    def __str__(self) -> str:
        return str(self.path)

    def __repr__(self) -> str:
        return f"{self.path}  ({size_text(self.path)})"

    def _repr_html_(self) -> str:
        path, suffix = self.path, self.path.suffix.lower()
        name = html.escape(path.name)
        if not path.is_file():
            return f"<code>{html.escape(str(path))}</code> (missing)"
        if suffix in VIDEO_TYPES:
            mime = VIDEO_TYPES[suffix]
            # muted: browsers only autoplay silent videos; playsinline: iOS would go full screen.
            return (f'<video controls loop autoplay muted playsinline style="max-width:100%">'
                    f'<source src="{_source(path, mime)}" type="{mime}">{name}</video>')
        if suffix in IMAGE_TYPES:
            # An SVG goes in as an image, not inline markup: matplotlib's SVGs reuse the same
            # element ids, which clash when two are inlined in one page.
            return f'<img src="{_source(path, IMAGE_TYPES[suffix])}" alt="{name}" style="max-width:100%">'
        # PDF and anything else: a link, which the browser opens with its own viewer.
        return f'<a href="{_href(path)}" target="_blank">{name}</a> ({size_text(path)})'

    def _repr_mimebundle_(self, include: Iterable[str] | None = None,
                          exclude: Iterable[str] | None = None) -> dict[str, str]:
        return {"text/html": self._repr_html_(), "text/plain": repr(self)}


class MediaList(list):
    """The files a render wrote: a plain list of pathlib.Path for code, each file shown in Jupyter."""

    def __init__(self, paths: Iterable[str | os.PathLike] = ()) -> None:
        super().__init__(Path(path) for path in paths)

    def __repr__(self) -> str:
        return "\n".join(repr(Media(path)) for path in self)

    def _repr_html_(self) -> str:
        return "".join(f"<figure style=\"margin:0 0 1em\"><figcaption><code>{html.escape(path.name)}</code>"
                       f"</figcaption>{Media(path)._repr_html_()}</figure>" for path in self)
