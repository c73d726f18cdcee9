"""One optimizer, Adam, at five learning rates: from too small to diverging.

A sweep over lr with one optimizer: every rate is a run of its own in one picture, Adam's orange
from dark (small) to light (large).
"""
from optanim import Scene

scene = Scene(
    title="Adam at five learning rates: too small, right, fast, too big, diverging",
    optimizers=["adam"],
    sweep={"lr": [0.001, 0.01, 0.1, 0.3, 3.0]},
    scheduler_order="notebook",
)
