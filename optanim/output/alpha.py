"""Clips with transparency (--transparent): which formats keep it, and the check made before any work.

The look (transparent background and panel faces, a halo round lines and text) is draw/style.py's
`see_through`; how each format is encoded with its alpha is in ffmpeg.CODECS.
"""

from __future__ import annotations

from typing import Sequence

from ..errors import OptanimError

#: The formats that keep an alpha channel, and how.
KEEP_ALPHA = {
    "webm": "VP9 with alpha: browsers",
    "apng": "animated PNG, exact alpha: PowerPoint, Keynote, browsers",
    "mov": "ProRes 4444: Keynote, Final Cut, Premiere",
    "png": "the last frame", "pdf": "the last frame", "svg": "the last frame",
}
#: Why the others cannot: said in the one-line error.
NO_ALPHA = {
    "mp4": "H.264 has no alpha channel",
    "gif": "GIF's alpha is one bit: the halo and every soft edge would turn to jagged steps",
    "html": "the page sets the clip on a background of its own",
    "pptx": "a deck's videos are MP4s; put the apng or the mov on its slides",
}


def check_transparent(formats: Sequence[str], transparent: bool) -> None:
    """With transparency, every format asked for must keep it: one line naming the first that cannot."""
    if not transparent:
        return
    for fmt in formats:
        if fmt not in KEEP_ALPHA:
            why = NO_ALPHA.get(fmt, "it keeps no alpha")
            raise OptanimError(f"transparent: --format {fmt} cannot be transparent ({why}); "
                               "use webm, apng or mov for clips (png, pdf or svg for stills)")
