"""Experiment 5: a harder start (a=5, b=3), lr 0.1 x 0.9^epoch, weight decay 1e-4, 200 epochs.

What a student sees: from this start the loss surface has several valleys; a large learning rate
lets some optimizers jump between them while others fall into a local minimum.
"""
from optanim import Scene

scene = Scene(
    title="Experiment 5: start (5, 3), lr 0.1 x 0.9^epoch, weight decay 1e-4",
    init=(5.0, 3.0),
    epochs=200,
    lr=0.1,
    weight_decay=1e-4,
    lr_lambda=lambda epoch: 0.9 ** epoch,
    scheduler_order="notebook",   # scheduler.step() at the start of each epoch, as the notebook
)
