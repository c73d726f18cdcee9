"""Progress bars where someone can see them: a widget in Jupyter, a bar on a terminal, none in a log."""

from __future__ import annotations

import sys
from typing import Callable, Iterable

#: progress(iterable, total, description) -> iterable; the CLI passes a tqdm bar.
Progress = Callable[[Iterable[int], int, str], Iterable[int]]


def no_progress(items: Iterable[int], total: int, description: str) -> Iterable[int]:
    return items




def in_notebook() -> bool:
    """True inside a Jupyter kernel. Looked up in sys.modules: a script never pays for importing IPython."""
    if "ipykernel" not in sys.modules or "IPython" not in sys.modules:
        return False
    shell = sys.modules["IPython"].get_ipython()
    return type(shell).__name__ == "ZMQInteractiveShell"


def default_progress(enabled: bool | None = None) -> Progress:
    """A `progress(items, total, description)` for render(): tqdm's own choice of bar (a notebook
    widget, or a terminal bar), or none. None decides: a bar on a terminal or in a notebook only,
    so logs and CI output stay free of carriage-return noise. True forces a bar, False turns it off."""
    if enabled is None:
        enabled = (sys.stderr is not None and sys.stderr.isatty()) or in_notebook()
    if not enabled:
        return no_progress
    from tqdm.auto import tqdm

    return lambda items, total, description: tqdm(items, total=total, desc=description, unit="frame",
                                                  leave=False)
