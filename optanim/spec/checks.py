"""Field checks shared by every kind of scene: each raises one OptanimError line naming the field."""

from __future__ import annotations

import dataclasses
import difflib
import math
from typing import Any, Callable, Sequence

from ..errors import OptanimError


def positive(value: Any, name: str, kind: type = float) -> None:
    """A finite number > 0 (kind=float) or a whole number > 0 (kind=int)."""
    if isinstance(value, bool) or not isinstance(value, (int, float) if kind is float else int):
        raise OptanimError(f"{name}: must be a {'number' if kind is float else 'whole number'}, got {value!r}")
    if not math.isfinite(value) or value <= 0:
        raise OptanimError(f"{name}: must be a {'finite' if kind is float else 'whole'} number > 0, got {value!r}")


def finite(value: Any, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise OptanimError(f"{name}: must be a finite number, got {value!r}")


def non_negative(value: Any, name: str) -> None:
    finite(value, name)
    if value < 0:
        raise OptanimError(f"{name}: must be >= 0, got {value!r}")


def pair(value: Any, name: str, *, increasing: bool = False) -> None:
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise OptanimError(f"{name}: must be a pair of numbers (first, second), got {value!r}")
    for v in value:
        finite(v, name)
    if increasing and value[0] >= value[1]:
        raise OptanimError(f"{name}: min must be < max, got {tuple(value)}")


def choice(value: Any, name: str, allowed: Sequence[str]) -> None:
    if value not in allowed:
        raise OptanimError(f"{name}: {value!r} is not allowed; allowed: {', '.join(allowed)}")


def choices(values: Sequence[str], allowed: Sequence[str], name: str) -> list[str]:
    """Each value one of `allowed` (the error names the argument, e.g. `views`); duplicates dropped."""
    if isinstance(values, str):
        values = [values]
    for value in values:
        if value not in allowed:
            near = difflib.get_close_matches(str(value), list(allowed), 1)
            hint = f" (did you mean {near[0]!r}?)" if near else ""
            raise OptanimError(f"{name}: unknown {name.rstrip('s')} {value!r}{hint}; allowed: {', '.join(allowed)}")
    return list(dict.fromkeys(values))


def short_repr(scene: Any, limit: int = 80) -> str:
    """A dataclass by the fields that differ from their defaults; functions by name, long values cut."""
    parts = []
    for f in dataclasses.fields(scene):
        value = getattr(scene, f.name)
        default = f.default if f.default is not dataclasses.MISSING else (
            f.default_factory() if f.default_factory is not dataclasses.MISSING else dataclasses.MISSING)
        if value is default or (not callable(value) and _same(value, default)):
            continue
        text = getattr(value, "__name__", None) if callable(value) else None
        text = text or repr(value)
        parts.append(f"{f.name}={text if len(text) <= limit else text[:limit - 3] + '...'}")
    return f"{type(scene).__name__}({', '.join(parts)})"


def _same(value: Any, default: Any) -> bool:
    try:
        return bool(value == default)
    except Exception:  # arrays and the like compare element-wise: count them as different
        return False


def source_of(function: Callable) -> str:
    """A function's source text (for cache keys); its name where the source is not to be had."""
    import inspect

    try:
        return inspect.getsource(function).strip()
    except (OSError, TypeError):
        return getattr(function, "__qualname__", repr(function))
