"""Files that appear complete or not at all: write beside the target, rename when done."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import Iterator

from ..errors import OptanimError


def _read_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


#: Read once, at import: os.umask can only be read by setting it, which races with other threads.
UMASK = _read_umask()


def ensure_writable(folder: Path, what: str = "out") -> None:
    """Create the folder and prove a file can be made in it, before any long work."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as error:
        raise OptanimError(f"{what}: cannot write to {folder}: {error.strerror}") from None


@contextlib.contextmanager
def atomic_target(target: Path) -> Iterator[Path]:
    """A unique temporary name beside `target`, renamed onto it only if the block succeeds.

    The real extension stays last (ffmpeg and savefig pick the format from it); on failure or
    Ctrl-C the temporary is deleted and an earlier good file at `target` is left as it was. Unique
    names let two renders of one scene run at once; the last to finish wins, whole.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.stem}.", suffix=f".partial{target.suffix}")
    os.close(fd)
    partial = Path(name)
    try:
        yield partial
        os.chmod(partial, 0o666 & ~UMASK)  # mkstemp makes 0600; a video is for sharing
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
