"""Experiment 1: the notebook's baseline. a=2, b=4.5, 50 epochs, lr 0.01, batch 16, no weight decay.

What a student sees: with the same small learning rate, plain SGD crawls while Adam, RMSprop and
Adamax race down the valley; SGD + momentum overshoots and oscillates before settling.
"""
from optanim import Scene

scene = Scene(
    title="Experiment 1: lr 0.01, batch 16, no weight decay",
    scheduler_order="notebook",   # the notebook calls scheduler.step() at the start of each epoch
)
