"""Experiments 1 and 2 side by side: the same runs without and with weight decay (L2, 0.01).

A sweep over weight_decay: one panel per value, on one clock, zoomed on the paths' last stretch.
"""
from optanim import Scene

scene = Scene(
    title="Weight decay: Experiment 1 (none) against Experiment 2 (0.01)",
    sweep={"weight_decay": [0.0, 0.01]},
    scheduler_order="notebook",   # the notebook calls scheduler.step() at the start of each epoch
    # Zoomed on the paths (the notebook's window is [-3, 10]): weight decay moves the ends by ~0.07.
    a_range=(0.8, 2.2),
    b_range=(2.0, 4.7),
)
