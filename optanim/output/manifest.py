"""What made a file, kept inside it: the scene's text, the command, the versions and a hash of the
recording, as one JSON manifest of at most 16 KB, so that any file optanim wrote can be traced back
(`optanim --info FILE`) and rendered again (`optanim --from FILE`).

The API, for every writer:

- `manifest_for(origin, recording)`: the manifest of one render (a dict), built once before drawing;
- `for_file(manifest, views, fmt)`: the text one file carries (compact ASCII JSON, <= MAX_BYTES);
- where it goes is `output/containers.py`: `ffmpeg_metadata(text)` for MP4/MOV/WebM, and
  `embed(path, text)` for a finished PNG/APNG, GIF, SVG, PPTX or HTML (PDF: `pdf_metadata(text)`);
- `read_manifest(path)`: the dict back, or one OptanimError line.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import platform
import subprocess
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np

from ..errors import OptanimError
from .containers import extract

#: A manifest's size limit, whatever the container (a PNG chunk or an MP4 tag holds far more; a
#: manifest that grows past this would be a scene file that embeds data, and then its text is left out).
MAX_BYTES = 16 * 1024
#: The manifest's own format: bump when a key changes meaning.
VERSION = 1
#: The packages whose versions change what a file shows.
PACKAGES = ("optanim", "torch", "numpy", "matplotlib", "imageio-ffmpeg")


@dataclass(frozen=True)
class SceneSource:
    """A scene as text: its file's (or, for a scene made in Python, a Scene(...) line), and where it lives."""

    text: str
    file: str | None = None          # the path as given
    scene: str | None = None         # which scene of a file that defines several (--scene NAME)
    git_commit: str | None = None    # HEAD of the repository holding the file
    git_dirty: bool = False          # the file differs from that commit


@dataclass(frozen=True)
class Origin:
    """Where a render came from: the scenes (several for --grid), the command or call, and the
    settings that repeat it (quality, fps, gif_max_mb, the scene fields overridden, grid)."""

    sources: tuple[SceneSource, ...]
    command: str
    settings: Mapping[str, Any] = field(default_factory=dict)


def scene_source(path: str | Path, scene: str | None = None) -> SceneSource:
    """A scene file's text, and the git commit of its folder where it is in a repository."""
    path = Path(path)
    commit, dirty = git_state(path)
    return SceneSource(text=path.read_text(encoding="utf-8"), file=str(path), scene=scene, git_commit=commit,
                       git_dirty=dirty)


def git_state(path: Path) -> tuple[str | None, bool]:
    """(HEAD of the repository holding `path`, whether the file differs from it); (None, False) outside
    one or without git."""
    folder = str(path.resolve().parent)
    try:
        head = subprocess.run(["git", "-C", folder, "rev-parse", "HEAD"], capture_output=True, text=True,
                              timeout=10)
        if head.returncode != 0:
            return None, False
        status = subprocess.run(["git", "-C", folder, "status", "--porcelain", "--", path.name],
                                capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None, False
    return head.stdout.strip(), bool(status.stdout.strip())


def versions() -> dict[str, str]:
    """Python's and each package's version (a package not installed is left out)."""
    found = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    return found


def recording_hash(recording: Any) -> str:
    """sha256 of everything a recording holds (a Recording, a sweep's dict of them, a grid's list,
    an InitRecording): every array's dtype, shape and bytes, every number and name. Equal for a
    recording and the same one read back from the cache."""
    digest = hashlib.sha256()
    _feed(digest, recording)
    return "sha256:" + digest.hexdigest()


def _feed(digest: Any, value: Any) -> None:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        digest.update(f"<{type(value).__name__}".encode())
        for f in dataclasses.fields(value):
            digest.update(f.name.encode())
            _feed(digest, getattr(value, f.name))
        digest.update(b">")
    elif isinstance(value, np.ndarray):
        array = np.ascontiguousarray(value)
        digest.update(f"a{array.dtype.str}{array.shape}".encode())
        digest.update(array.tobytes() if array.dtype != object else repr(array.tolist()).encode())
    elif isinstance(value, Mapping):
        digest.update(b"{")
        for key in sorted(value, key=repr):
            digest.update(repr(key).encode())
            _feed(digest, value[key])
        digest.update(b"}")
    elif isinstance(value, (list, tuple)):
        digest.update(b"[")
        for item in value:
            _feed(digest, item)
        digest.update(b"]")
    elif isinstance(value, (bool, np.bool_)):
        digest.update(b"T" if value else b"F")
    elif isinstance(value, (int, np.integer)):
        digest.update(f"i{int(value)}".encode())
    elif isinstance(value, (float, np.floating)):
        digest.update(f"f{float(value)!r}".encode())
    else:  # strings, None
        digest.update(f"s{value!r}".encode())


def manifest_for(origin: Origin, recording: Any) -> dict[str, Any]:
    """The manifest of one render: every file it writes carries this, with its own views and format."""
    first = origin.sources[0]
    manifest = {
        "optanim_manifest": VERSION,
        "scene_source": first.text,
        "scene_file": first.file,
        "scene": first.scene,
        "git_commit": first.git_commit,
        "git_dirty": first.git_dirty,
        "command": origin.command,
        "settings": dict(origin.settings),
        "versions": versions(),
        "recording_hash": recording_hash(recording),
    }
    if len(origin.sources) > 1:  # a grid: every panel's scene, in order (the first is the one above)
        manifest["grid"] = [dataclasses.asdict(source) for source in origin.sources]
    return manifest


def for_file(manifest: Mapping[str, Any], views: Sequence[str], fmt: str) -> str:
    """The text one file carries: the manifest with the file's views and format, as compact ASCII
    JSON (safe in every container) of at most MAX_BYTES. A scene text too long for that is left out
    (said in the manifest: such a file cannot be rendered again with --from)."""
    stamped = {**manifest, "file": {"views": list(views), "format": fmt}}
    text = _dumps(stamped)
    if len(text) > MAX_BYTES:
        cut = f"left out: the scene's text made the manifest {len(text) / 1024:.0f} KB, over {MAX_BYTES // 1024} KB"
        stamped["scene_source"] = None
        stamped["scene_source_omitted"] = cut
        if "grid" in stamped:
            stamped["grid"] = [{**panel, "text": None} for panel in stamped["grid"]]
        text = _dumps(stamped)
    if len(text) > MAX_BYTES:
        raise OptanimError(f"manifest: {len(text)} bytes even without the scene's text, over {MAX_BYTES}")
    return text


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=True, separators=(",", ":"), default=repr)


#: Keys every manifest has; one without them is damaged.
REQUIRED = ("optanim_manifest", "scene_source", "versions", "recording_hash", "settings")


def read_manifest(path: str | Path) -> dict[str, Any]:
    """The manifest a file carries; a file without one, or with a damaged one, is one OptanimError line."""
    path = Path(path)
    if not path.is_file():
        raise OptanimError(f"{path}: no such file")
    try:
        text = extract(path)
    except (OSError, ValueError) as error:
        raise OptanimError(f"{path}: cannot read its manifest: {error}") from None
    if text is None:
        raise OptanimError(f"{path}: has no optanim manifest (not written by optanim, or by a version "
                           "before manifests, or edited by another tool)")
    try:
        manifest = json.loads(text)
    except json.JSONDecodeError as error:
        raise OptanimError(f"{path}: its optanim manifest is damaged ({error.msg} at character {error.pos})") from None
    missing = [key for key in REQUIRED if not isinstance(manifest, dict) or key not in manifest]
    if missing:
        raise OptanimError(f"{path}: its optanim manifest is damaged (no {', '.join(missing)})")
    return manifest
