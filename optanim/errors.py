"""The one error class for what a user did wrong (a bad scene, a bad option)."""

from __future__ import annotations


class OptanimError(Exception):
    """A mistake in a scene or on the command line: the CLI prints it as one line, no traceback."""
