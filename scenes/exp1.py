"""Experiment 1: the notebook's baseline. a=2, b=4.5, 50 epochs, lr 0.01, batch 16, no weight decay.

What a student sees: with one small learning rate for all, SGD + momentum, RMSprop and Adam reach
the true parameters (1.2, 2.5) first, SGD and Adamax follow, and Adagrad stalls halfway (its
effective rate only ever shrinks).
"""
from optanim import Scene

scene = Scene(
    title="Experiment 1: the notebook's baseline",   # the subtitle lists the hyperparameters
    scheduler_order="notebook",   # the notebook calls scheduler.step() at the start of each epoch
    state_focus="adagrad",        # the state view writes out Adagrad's rule: why it stalls
)
