"""Experiment 2: Experiment 1 with L2 regularisation (weight decay 0.01).

What a student sees: weight decay pulls every optimizer towards (0, 0), so the paths bend away from
the true minimum (1.2, 2.5) and settle a little short of it.
"""
from optanim import Scene

scene = Scene(
    title="Experiment 2: weight decay pulls every path towards the origin",
    weight_decay=0.01,
    scheduler_order="notebook",   # the notebook calls scheduler.step() at the start of each epoch
)
