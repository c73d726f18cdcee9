"""The notebook's model, the default of every data scene."""

from __future__ import annotations

import torch


def sine_cosine(x: torch.Tensor, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """The notebook's model f(x, a, b) = sin(b·cos(a·x)); broadcasts over a and b."""
    return torch.sin(b * torch.cos(a * x))
