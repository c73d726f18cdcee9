"""Himmelblau's four equally deep minima: which one you reach depends on the path, not only the start.

What a student sees: from one start, (1, 4.4), SGD settles in the nearest minimum (3, 2); SGD + momentum
overshoots that basin and ends in (3.58, -1.85); RMSprop and Adam, whose first steps go diagonally
whatever the gradient's direction, cross into the basin of (-2.81, 3.13).
"""
from optanim import Scene

scene = Scene(
    title="Himmelblau: same start, different minima",
    loss="himmelblau",
    init=(1.0, 4.4),
    steps=300,
    lr=0.01,
    optimizers={"sgd": {}, "sgdm": {"lr": 0.004}, "rmsprop": {"lr": 0.05}, "adam": {"lr": 0.2}},
)
