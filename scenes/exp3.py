"""Experiment 3: 200 epochs with the learning rate decaying as 0.01 x 0.9^epoch.

What a student sees: the schedule shrinks the steps so fast that the slow optimizers (SGD, Adagrad)
freeze far from the minimum; the lr view shows the rate is almost zero after 50 epochs.
"""
from optanim import Scene

scene = Scene(
    title="Experiment 3: a learning rate that decays too fast",
    epochs=200,
    lr_lambda=lambda epoch: 0.9 ** epoch,
    # As in the notebook, scheduler.step() runs at the start of every epoch, so epoch e trains
    # at 0.01 x 0.9^(e+1).
    scheduler_order="notebook",
)
