"""Beale's plateaus: where the gradient is tiny, a step proportional to it goes nowhere.

What a student sees: from (-3, -1) every path first runs up against the plateau around b ≈ 1.3;
SGD and SGD + momentum, whose steps shrink with the gradient, stay there, while RMSprop and Adam,
which divide the gradient by its own running size, keep a steady pace across it to the minimum (3, 0.5).
"""
from optanim import Scene

scene = Scene(
    title="Beale: adaptive steps cross the plateau",
    loss="beale",
    init=(-3.0, -1.0),
    steps=800,
    lr=1e-3,
    optimizers={"sgd": {}, "sgdm": {}, "rmsprop": {"lr": 0.01}, "adam": {"lr": 0.05}},
)
