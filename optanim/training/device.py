"""The device a scene trains on, or a clear error where this machine has none such."""

from __future__ import annotations

import torch

from ..errors import OptanimError


def resolve_device(name: str) -> torch.device:
    """The scene's device, or a clear error where it is not on this machine."""
    try:
        device = torch.device(name)
    except (RuntimeError, TypeError):
        raise OptanimError(f"device: unknown device {name!r}; allowed: cpu, cuda, cuda:N") from None
    if device.type == "cuda" and not torch.cuda.is_available():
        raise OptanimError(f"device: {name!r} asked for, but this machine has no CUDA GPU; use --device cpu")
    if device.type not in ("cpu", "cuda"):
        raise OptanimError(f"device: {name!r} is not supported; allowed: cpu, cuda")
    return device
