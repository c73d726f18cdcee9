"""Experiment 5: a harder start (a=5, b=3), lr 0.1 x 0.9^epoch, weight decay 1e-4, 200 epochs.

What a student sees: the start lies beyond a ridge from the true minimum; every optimizer falls into
the local valley near (5.6, 4.2) (SGD + momentum gets furthest, to about (3.9, 4.2)), with a loss
of about 1 against 0.009 at the true parameters. A good optimizer does not rescue a bad start.
"""
from optanim import Scene

scene = Scene(
    title="Experiment 5: a bad start, beyond a ridge",
    init=(5.0, 3.0),
    epochs=200,
    lr=0.1,
    weight_decay=1e-4,
    lr_lambda=lambda epoch: 0.9 ** epoch,
    scheduler_order="notebook",   # scheduler.step() at the start of each epoch, as the notebook
)
