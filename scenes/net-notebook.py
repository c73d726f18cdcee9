"""The notebook's data, fitted by a network instead of by two parameters: the 200 noisy samples of
sin(b·cos(a·x)) (a = 1.2, b = 2.5), learned by a small MLP by mini-batch MSE. The fit view draws each
network's curve over the data as it trains; the plane goes through the start and two runs' ends.
"""

from torch import nn

from optanim import Scene

scene = Scene(
    title="The notebook's data, fitted by a network",
    network=lambda: nn.Sequential(nn.Linear(1, 32), nn.Tanh(), nn.Linear(32, 32), nn.Tanh(), nn.Linear(32, 1)),
    data="notebook", epochs=150, batch_size=16, lr=0.05,
    optimizers={"sgd": {}, "sgdm": {}, "adam": {"lr": 0.01}, "rmsprop": {"lr": 0.002}},
)
