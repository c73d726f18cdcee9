"""Rosenbrock's curved valley: reaching it is easy, following it to the minimum is slow.

What a student sees: every optimizer drops into the banana-shaped valley within a few steps; plain
gradient descent then zig-zags across its steep walls and crawls along its flat floor, a third of the
way to the minimum (1, 1) after 1000 steps, while momentum builds up speed along the floor and gets there.
"""
from optanim import Scene

scene = Scene(
    title="Rosenbrock: momentum follows the curved valley",
    loss="rosenbrock",
    init=(-1.5, 2.0),
    steps=1000,
    lr=1e-3,
    optimizers={"sgd": {}, "sgdm": {}, "adam": {"lr": 0.02}},
)
