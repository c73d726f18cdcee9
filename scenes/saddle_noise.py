"""A saddle point and gradient noise: exactly on the ridge, only noise gets you off.

What a student sees: starting exactly on the ridge line b = 0 of a² − b², the gradient has no b part,
so without noise every optimizer walks into the saddle (0, 0) and stops there for good (set
grad_noise=0 to watch it). With a little Gaussian noise on each gradient, the same for every run (as
mini-batches give), each is pushed off the ridge and rolls down one side: SGD + momentum first, then
Adam, and SGD last, at the very end of the run.
"""
from optanim import Scene

scene = Scene(
    title="Saddle: noise pushes you off",
    loss="saddle",
    init=(-1.5, 0.0),
    steps=400,
    lr=0.01,
    grad_noise=0.05,
    optimizers=["sgd", "sgdm", "adam"],
)
