"""Muon as torch's documentation advises using it: torch.optim.Muon on the network's hidden weight
matrices, AdamW on everything else (the input and output layers, biases), as one optimizer."""

from __future__ import annotations

from typing import Any

import torch

#: What a lecturer reads for the pair.
LABEL = "Muon + AdamW"
#: AdamW's rate beside Muon's, unless the run gives `adamw_lr`: Muon's orthogonalised steps take
#: a rate about ten times AdamW's (Muon 0.02, AdamW 3e-4 to 3e-3 in its author's runs).
ADAMW_SHARE = 0.1


def hidden_matrices(module: torch.nn.Module) -> tuple[list[torch.Tensor], list[torch.Tensor]]:
    """(Muon's, AdamW's) parameters: the 2-D weights between the first and the last layer go to
    Muon; the first layer (it sees the raw inputs), the last (it makes the outputs) and every non-matrix
    go to AdamW. A network with at most two matrices gives Muon all of them."""
    params = list(module.parameters())
    matrices = [p for p in params if p.ndim == 2]
    hidden = matrices[1:-1] if len(matrices) > 2 else matrices
    chosen = {id(p) for p in hidden}
    return hidden, [p for p in params if id(p) not in chosen]


class MuonAdamW(torch.optim.Optimizer):
    """Both optimizers behind one: their param_groups are this one's (the very same dicts), so a
    scheduler that sets this optimizer's rates sets both; step() steps each."""

    def __init__(self, module: torch.nn.Module, lr: float, weight_decay: float = 0.1,
                 adamw_lr: float | None = None, adamw_weight_decay: float = 0.01, **muon: Any) -> None:
        hidden, rest = hidden_matrices(module)
        self.muon = torch.optim.Muon(hidden, lr=lr, weight_decay=weight_decay, **muon)
        self.adamw = torch.optim.AdamW(rest, lr=lr * ADAMW_SHARE if adamw_lr is None else adamw_lr,
                                       weight_decay=adamw_weight_decay) if rest else None
        groups = self.muon.param_groups + (self.adamw.param_groups if self.adamw else [])
        super().__init__(groups, {})

    @torch.no_grad()
    def step(self, closure: Any = None) -> Any:
        loss = self.muon.step(closure)
        if self.adamw is not None:
            self.adamw.step()
        return loss

    def zero_grad(self, set_to_none: bool = True) -> None:
        self.muon.zero_grad(set_to_none)
        if self.adamw is not None:
            self.adamw.zero_grad(set_to_none)
