"""Two spirals: a boundary that winds one and a half turns. Plain SGD at a rate that suits momentum
sits on the plateau of a tanh network's start, and stalls; momentum and Adam get off it and wind the
boundary round the arms. The plane is the runs' own: the top two principal directions of every run's
weights together (plane="pca"), its axes labelled with the share of variance each explains.
"""

from torch import nn

from optanim import Scene

scene = Scene(
    title="Two spirals: plain SGD stalls where momentum and Adam do not",
    network=lambda: nn.Sequential(nn.Linear(2, 48), nn.Tanh(), nn.Linear(48, 48), nn.Tanh(),
                                  nn.Linear(48, 48), nn.Tanh(), nn.Linear(48, 2)),
    data="spirals", n_samples=600, noise_std=0.05,
    epochs=80, batch_size=32, lr=0.02,
    optimizers={"sgd": {}, "sgdm": {}, "adam": {"lr": 0.005}},
    plane="pca",
)
