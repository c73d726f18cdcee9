"""Beale's plateaus: where the gradient is small, a step proportional to it goes nowhere.

What a student sees: from (-3, -1), SGD and SGD + momentum climb into the flat shelf at a < 0, b ≈ 1.3
(loss about 1, gradient about 0.5) and stay there; RMSprop and Adam, which divide the gradient by its
own running size, keep a steady pace across the flat middle along b ≈ 0 and reach the minimum (3, 0.5).
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
