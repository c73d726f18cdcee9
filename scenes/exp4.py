"""Experiment 4: 200 epochs, lr 0.02 x 0.9^epoch, weight decay 0.001.

What a student sees: twice the learning rate of Experiment 3 lets more optimizers reach the valley
before the schedule freezes them.
"""
from optanim import Scene

scene = Scene(
    title="Experiment 4: twice the rate, decaying as fast",
    epochs=200,
    lr=0.02,
    # The notebook's text says weight decay 0 for this experiment, but its code passes 0.001:
    # we follow the code, which produced the notebook's plots.
    weight_decay=0.001,
    lr_lambda=lambda epoch: 0.9 ** epoch,
    scheduler_order="notebook",   # scheduler.step() at the start of each epoch, as the notebook
)
