"""Homework: write your own optimizer and race it against SGD and Adam.

An optimizer is a class: __init__ stores its settings (the "hyperparameters") in param_groups, and
step() changes each parameter p using its gradient p.grad and whatever it remembers in self.state[p].
This one is Signum (sign SGD with momentum, Bernstein et al. 2018): it keeps a running average of the
gradient, m, and moves every parameter by exactly lr in the direction -sign(m). The size of the
gradient does not matter, only its sign.

What a student sees: Signum's path is made of equal steps at 45 degrees (each of a and b moves by ±lr),
so it leaves the steep start as fast as Adam and faster than SGD; near the minimum its fixed step
cannot shrink, and it ends jittering around the true parameters. The state view shows m, its memory,
by the name it is stored under.
"""
import torch

from optanim import Scene


class Signum(torch.optim.Optimizer):
    def __init__(self, params, lr=0.01, beta=0.9):
        # Settings go into `defaults`: torch copies them into every parameter group, so
        # group["lr"] and group["beta"] are there in step() (and a scheduler can change lr).
        super().__init__(params, dict(lr=lr, beta=beta))

    @torch.no_grad()  # the update itself is not part of the model: autograd must not record it
    def step(self, closure=None):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]  # what this optimizer remembers about p between steps
                if "m" not in state:
                    state["m"] = torch.zeros_like(p)
                m = state["m"]
                m.mul_(group["beta"]).add_(p.grad, alpha=1 - group["beta"])  # m = beta m + (1 - beta) g
                p.add_(m.sign(), alpha=-group["lr"])                          # p = p - lr sign(m)


scene = Scene(
    title="Your own optimizer: Signum against SGD and Adam",
    optimizers=["sgd", "adam", Signum],   # a class goes where a name goes; its label is its name
    epochs=50,
    lr=0.01,
    state_focus="Signum",   # the state view writes out Signum's step, with its memory m
)
