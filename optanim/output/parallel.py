"""Drawing one video in several forked processes, each a contiguous chunk of frames into files of its own."""

from __future__ import annotations

import multiprocessing as mp
import os
import queue
import signal
import traceback
from typing import Callable, Iterator, Sequence

from matplotlib.mathtext import MathTextParser

from ..stage.animator import Animator
from ..errors import OptanimError
from ..progress import Progress
from .frames import draw_frames

#: Frames each drawing process should get at least: below this, starting it costs more than it saves.
MIN_FRAMES_PER_WORKER = 30


def drawing_workers(slow: bool, n_frames: int) -> int:
    """How many processes draw a video: one per CPU for slow frames (3D), where fork is available.

    2D frames take a few milliseconds: the encoder is their limit, and libx264 already uses every core."""
    if not slow or "fork" not in mp.get_all_start_methods():
        return 1
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, min(cpus, n_frames // MIN_FRAMES_PER_WORKER))


def draw_in_processes(animator: Animator, chunks: Sequence[range], sinks_of: Callable[[int], list],
                      progress: Progress, view: str) -> None:
    """Each forked process draws one contiguous chunk of frames into its own part files.

    Fork, not spawn: a child starts with the figure already laid out and its background cached, and
    pays neither the imports (torch alone is over a second) nor the set-up again.
    """
    context = mp.get_context("fork")
    messages = context.Queue()
    processes = [context.Process(target=_worker, args=(animator, chunk, sinks_of(k), messages), daemon=True)
                 for k, chunk in enumerate(chunks)]
    total = sum(len(chunk) for chunk in chunks)
    try:
        for process in processes:
            process.start()
        for _ in progress(_frames_done(messages, processes), total, view):
            pass
        for process in processes:
            process.join()
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()  # SIGTERM: the worker stops its encoder and exits
        for process in processes:
            process.join()
        messages.close()


def forget_parent_fonts() -> None:
    """In a forked child: drop the mathtext the parent parsed, so that it is parsed again with fonts of the
    child's own. matplotlib reopens its fonts in a forked child, but a parsed expression (a log axis' tick
    labels) keeps the parent's, whose open files the children share, offset and all: two children loading
    glyphs at once read each other's bytes (FT_Load_Glyph: "too many hints", "invalid outline")."""
    parse = getattr(MathTextParser, "_parse_cached", None)
    if hasattr(parse, "cache_clear"):
        parse.cache_clear()


def _worker(animator: Animator, chunk: range, sinks: list, messages) -> None:
    # The parent stops workers (and their encoders, through the pipes' __exit__) with SIGTERM; Ctrl-C
    # reaches the parent, which does that, so a worker ignores SIGINT rather than race it.
    signal.signal(signal.SIGTERM, _exit_on_signal)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    forget_parent_fonts()
    try:
        draw_frames(animator, _report_each(chunk, messages), sinks)
    except Exception as error:
        detail = str(error) if isinstance(error, OptanimError) else traceback.format_exc()
        messages.put((isinstance(error, OptanimError), detail))
        raise SystemExit(1) from None
    messages.put(None)


def _exit_on_signal(signum: int, frame) -> None:
    raise SystemExit(1)


def _report_each(chunk: range, messages) -> Iterator[int]:
    for index in chunk:
        yield index
        messages.put(1)  # sent once the frame has gone to the encoders


def _frames_done(messages, processes: Sequence) -> Iterator[int]:
    """Yields once per frame drawn by any worker; raises a worker's error, or if one died silently."""
    running = len(processes)
    while running:
        try:
            message = messages.get(timeout=0.5)
        except queue.Empty:
            dead = [p.exitcode for p in processes if p.exitcode not in (None, 0)]
            if dead:
                raise OptanimError(f"a drawing process died (exit {dead[0]})")
            continue
        if message is None:
            running -= 1
        elif message == 1:
            yield 1
        else:
            user_error, detail = message
            raise OptanimError(detail) if user_error else RuntimeError(f"a drawing process failed:\n{detail}")
