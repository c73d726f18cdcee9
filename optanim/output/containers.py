"""Where a manifest's text goes in each kind of file, and how it is found again.

Each place is the one the format's own tools read: MP4/MOV `comment` (the MP4 muxer keeps no other
free-form tag), a WebM/Matroska COMMENT tag, a PNG/APNG iTXt chunk, a GIF comment extension, a key of
the PDF's Info dictionary, an SVG <metadata> element, the PPTX core properties' description, an HTML
<script type="application/json">. The text is ASCII JSON (manifest.for_file), so no container
needs to re-encode it.
"""

from __future__ import annotations

import html
import os
import re
import struct
import subprocess
import zipfile
import zlib
from pathlib import Path
from typing import Callable
from xml.etree import ElementTree

from .ffmpeg import ffmpeg_exe

#: The PNG iTXt keyword, the SVG element's and the HTML script's id, the PDF Info key.
PNG_KEYWORD = b"optanim"
ELEMENT_ID = "optanim-manifest"
PDF_KEY = "OptanimManifest"
VIDEO_SUFFIXES = (".mp4", ".mov", ".m4v", ".webm", ".mkv")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def ffmpeg_metadata(text: str | None) -> list[str]:
    """ffmpeg output options that tag an MP4, MOV or WebM with the manifest."""
    return [] if text is None else ["-metadata", f"comment={text}"]


def pdf_metadata(text: str | None) -> dict[str, str]:
    """matplotlib's savefig(metadata=...) for a PDF: the manifest as a key of the Info dictionary."""
    return {} if text is None else {PDF_KEY: text}


def html_script(text: str) -> str:
    """The manifest as an element of an HTML page (`</` escaped so the text cannot end the script)."""
    escaped = text.replace("</", "<\\/")
    return f'<script type="application/json" id="{ELEMENT_ID}">{escaped}</script>'


def embed(path: Path, text: str) -> None:
    """Put the manifest into a finished file (PNG/APNG, GIF, SVG, PPTX), in place: call it on the
    temporary of an atomic write, before the rename."""
    kind = path.suffix.lower()
    if kind not in EMBEDDERS:
        raise ValueError(f"no manifest is embedded after the fact in a {kind} file")
    EMBEDDERS[kind](path, text)


def extract(path: Path) -> str | None:
    """The manifest's text in a file of any kind optanim writes; None where there is none."""
    kind = path.suffix.lower()
    if kind in VIDEO_SUFFIXES:
        return _video_comment(path)
    reader = READERS.get(kind)
    return None if reader is None else reader(path)


# --- PNG and APNG: an iTXt chunk right after IHDR (before any animation or image chunk) ---

def _png_chunks(data: bytes) -> list[tuple[int, bytes, bytes]]:
    """(offset, type, data) of every chunk."""
    if not data.startswith(PNG_SIGNATURE):
        raise ValueError("not a PNG file")
    chunks, at = [], len(PNG_SIGNATURE)
    while at + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        chunks.append((at, kind, data[at + 8:at + 8 + length]))
        at += 12 + length
    return chunks


def _embed_png(path: Path, text: str) -> None:
    data = path.read_bytes()
    body = b"iTXt" + PNG_KEYWORD + b"\0\0\0\0\0" + text.encode("utf-8")
    chunk = struct.pack(">I", len(body) - 4) + body + struct.pack(">I", zlib.crc32(body))
    after_header = _png_chunks(data)[0]
    at = after_header[0] + 12 + len(after_header[2])
    path.write_bytes(data[:at] + chunk + data[at:])


def _read_png(path: Path) -> str | None:
    for _, kind, body in _png_chunks(path.read_bytes()):
        if kind == b"iTXt" and body.startswith(PNG_KEYWORD + b"\0"):
            # keyword \0, compression flag and method, language \0, translated keyword \0, text
            rest = body[len(PNG_KEYWORD) + 1:]
            compressed, rest = rest[0], rest[2:]
            text = rest.split(b"\0", 2)[2]
            return (zlib.decompress(text) if compressed else text).decode("utf-8")
    return None


# --- GIF: a comment extension right after the global colour table, before the first frame ---

def _gif_start(data: bytes) -> int:
    """Where the blocks begin: after the header, the screen descriptor and its colour table."""
    if data[:6] not in (b"GIF87a", b"GIF89a"):
        raise ValueError("not a GIF file")
    packed = data[10]
    return 13 + (3 * 2 ** ((packed & 7) + 1) if packed & 0x80 else 0)


def _embed_gif(path: Path, text: str) -> None:
    data = path.read_bytes()
    raw = text.encode("ascii")
    blocks = b"".join(bytes([len(piece)]) + piece for piece in (raw[i:i + 255] for i in range(0, len(raw), 255)))
    at = _gif_start(data)
    path.write_bytes(b"GIF89a" + data[6:at] + b"\x21\xfe" + blocks + b"\0" + data[at:])


def _sub_blocks(data: bytes, at: int) -> tuple[bytes, int]:
    """The data of the sub-blocks starting at `at`, and where they end."""
    out = bytearray()
    while data[at]:
        out += data[at + 1:at + 1 + data[at]]
        at += 1 + data[at]
    return bytes(out), at + 1


def _read_gif(path: Path) -> str | None:
    data = path.read_bytes()
    at = _gif_start(data)
    while at < len(data) and data[at] != 0x3B:
        if data[at] == 0x21:  # an extension: its label, then sub-blocks
            body, end = _sub_blocks(data, at + 2)
            if data[at + 1] == 0xFE and body.startswith(b'{"optanim_manifest"'):
                return body.decode("ascii", errors="replace")
            at = end
        elif data[at] == 0x2C:  # a frame: its descriptor, a local colour table, the LZW data
            packed = data[at + 9]
            at += 10 + (3 * 2 ** ((packed & 7) + 1) if packed & 0x80 else 0) + 1
            at = _sub_blocks(data, at)[1]
        else:
            raise ValueError(f"damaged GIF (byte {data[at]:#x} at {at})")
    return None


# --- SVG: a <metadata> element of its own, first in the document ---

def _embed_svg(path: Path, text: str) -> None:
    data = path.read_text(encoding="utf-8")
    start = data.index("<svg")
    at = data.index(">", start) + 1
    path.write_text(f'{data[:at]}\n <metadata id="{ELEMENT_ID}">{html.escape(text, quote=False)}</metadata>'
                    f"{data[at:]}", encoding="utf-8")


def _read_svg(path: Path) -> str | None:
    for element in ElementTree.parse(path).getroot().iter():
        if element.tag.rsplit("}", 1)[-1] == "metadata" and element.get("id") == ELEMENT_ID:
            return element.text or ""
    return None


# --- PDF: a key of the Info dictionary (matplotlib writes it as a literal string, uncompressed) ---

_PDF_ESCAPES = {ord("n"): b"\n", ord("r"): b"\r", ord("t"): b"\t", ord("b"): b"\b", ord("f"): b"\f"}


def _read_pdf(path: Path) -> str | None:
    data = path.read_bytes()
    key = f"/{PDF_KEY} (".encode()
    at = data.rfind(key)
    if at < 0:
        return None
    at += len(key)
    out, depth = bytearray(), 0
    while True:
        char = data[at]
        if char == 0x5C:  # a backslash: an escape
            nxt = data[at + 1]
            digits = re.match(rb"[0-7]{1,3}", data[at + 1:at + 4])
            if digits:
                out.append(int(digits.group(), 8) & 0xFF)
                at += 1 + len(digits.group())
                continue
            out += _PDF_ESCAPES.get(nxt, bytes([nxt]))
            at += 2
            continue
        if char == 0x29 and depth == 0:
            return out.decode("latin-1")
        depth += (char == 0x28) - (char == 0x29)
        out.append(char)
        at += 1


# --- PPTX: the core properties' dc:description (python-pptx caps its own setter at 255 characters) ---

CORE = "docProps/core.xml"
DC = "http://purl.org/dc/elements/1.1/"
CP = "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"


def _embed_pptx(path: Path, text: str) -> None:
    ElementTree.register_namespace("dc", DC)
    ElementTree.register_namespace("cp", CP)
    ElementTree.register_namespace("dcterms", "http://purl.org/dc/terms/")
    ElementTree.register_namespace("xsi", "http://www.w3.org/2001/XMLSchema-instance")
    rewritten = path.with_name(path.name + ".zip")
    try:
        with zipfile.ZipFile(path) as old, zipfile.ZipFile(rewritten, "w", zipfile.ZIP_DEFLATED) as new:
            for item in old.infolist():
                data = old.read(item)
                if item.filename == CORE:
                    root = ElementTree.fromstring(data)
                    element = root.find(f"{{{DC}}}description")
                    if element is None:
                        element = ElementTree.SubElement(root, f"{{{DC}}}description")
                    element.text = text
                    data = ElementTree.tostring(root, xml_declaration=True, encoding="UTF-8")
                new.writestr(item, data)
        os.replace(rewritten, path)
    finally:
        rewritten.unlink(missing_ok=True)


def _read_pptx(path: Path) -> str | None:
    with zipfile.ZipFile(path) as deck:
        if CORE not in deck.namelist():
            return None
        element = ElementTree.fromstring(deck.read(CORE)).find(f"{{{DC}}}description")
    return None if element is None or not (element.text or "").startswith('{"optanim_manifest"') else element.text


# --- HTML: a JSON script element ---

def _read_html(path: Path) -> str | None:
    found = re.search(rf'<script type="application/json" id="{ELEMENT_ID}">(.*?)</script>',
                      path.read_text(encoding="utf-8"), re.S)
    return None if found is None else found.group(1).replace("<\\/", "</")


# --- MP4, MOV, WebM: the container's comment tag, as ffmpeg reads it ---

def _video_comment(path: Path) -> str | None:
    result = subprocess.run([ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-i", str(path),
                             "-f", "ffmetadata", "-"], capture_output=True, stdin=subprocess.DEVNULL)
    if result.returncode != 0:
        last = result.stderr.decode(errors="replace").strip().splitlines()
        raise ValueError(last[-1] if last else "ffmpeg cannot read it")
    for line in result.stdout.decode("utf-8", errors="replace").splitlines():
        key, _, value = line.partition("=")
        if key.lower() == "comment":
            # ffmetadata escapes '=', ';', '#', '\' and newlines with a backslash
            return re.sub(r"\\(.)", r"\1", value, flags=re.S)
    return None


EMBEDDERS: dict[str, Callable[[Path, str], None]] = {".png": _embed_png, ".apng": _embed_png, ".gif": _embed_gif,
                                                     ".svg": _embed_svg, ".pptx": _embed_pptx}
READERS: dict[str, Callable[[Path], str | None]] = {".png": _read_png, ".apng": _read_png, ".gif": _read_gif,
                                                    ".svg": _read_svg, ".pdf": _read_pdf, ".pptx": _read_pptx,
                                                    ".html": _read_html, ".htm": _read_html}
