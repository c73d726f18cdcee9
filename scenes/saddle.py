"""A saddle point: zero gradient, yet no minimum.

What a student sees: starting almost on the ridge line b = 0, plain gradient descent slides to the
saddle at (0, 0) and lingers there, the gradient too small to push it off, for almost the whole run; momentum
and the adaptive methods (which scale the tiny b gradient up) roll off the saddle and leave the window
(marked "diverged": the loss falls without bound) many steps earlier.
"""
from optanim import Scene

scene = Scene(
    title="Saddle: who escapes?",
    loss="saddle",
    init=(-1.5, 0.001),
    steps=400,
    lr=0.01,
    optimizers=["sgd", "sgdm", "rmsprop", "adam"],
)
