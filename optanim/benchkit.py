"""What every benchmark row shares: the row itself, a median timer, and a measured subprocess."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from typing import Callable, Sequence


@dataclass(frozen=True)
class Row:
    name: str
    optanim: str
    baseline: str
    ratio: str
    target: str
    met: str


def median_time(run: Callable[[], object], repeat: int) -> float:
    """Median wall time of `repeat` calls."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def in_turns(ours: Callable[[], object], theirs: Callable[[], object], repeat: int) -> tuple[float, float, float]:
    """Median times of two calls timed in turns, and the median of each turn's ratio (theirs / ours): on a
    shared machine a slow moment slows both calls of a turn, so the ratio holds where the times do not."""
    pairs = [(median_time(ours, 1), median_time(theirs, 1)) for _ in range(repeat)]
    return (statistics.median(p[0] for p in pairs), statistics.median(p[1] for p in pairs),
            statistics.median(p[1] / p[0] for p in pairs))


def verdict(ok: bool) -> str:
    return "yes" if ok else "NO"


#: Runs a command and prints the peak RSS (kB) of the largest process it started, ffmpeg included.
_MEASURE = ("import resource, subprocess, sys; code = subprocess.call(sys.argv[1:]); "
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); sys.exit(code)")


def run_measured(argv: Sequence[str]) -> tuple[float, float]:
    """(wall seconds, peak RSS in MB) of a command run in its own process tree."""
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", _MEASURE, *argv], capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed:\n{result.stderr}")
    return seconds, int(result.stdout.split()[-1]) / 1024
