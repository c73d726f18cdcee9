"""A real network: SGD, momentum, Adam and Muon train one small MLP on two moons.

Each run trains a copy of the same start (torch.manual_seed(seed), then network()), on the same
mini-batches. The picture is a plane through the weight space: through the start and the ends of the two
runs that end farthest apart (plane="ends"). Every other path is projected onto it; the readout says how
far each head is off the plane and its real loss beside the plane's loss under it.
"""

from torch import nn

from optanim import Scene

scene = Scene(
    title="A real network: SGD, momentum, Adam and Muon on two moons",
    network=lambda: nn.Sequential(nn.Linear(2, 32), nn.Tanh(), nn.Linear(32, 32), nn.Tanh(), nn.Linear(32, 2)),
    data="moons", criterion="cross_entropy", n_samples=400, noise_std=0.15,
    epochs=60, batch_size=32, lr=0.05,
    optimizers={"sgd": {}, "sgdm": {}, "adam": {"lr": 0.005}, "muon": {"lr": 0.02}},
    plane="ends",
)
