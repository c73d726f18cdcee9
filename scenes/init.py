"""The notebook's last section: Xavier and Kaiming initialisation, on a real 20-layer net.

What a student sees: with PyTorch's default σ = 1/√(3·fan_in) the signal shrinks layer by layer and
the gradient fades on its way back; with N(0, 1) tanh saturates at ±1 and ReLU explodes past 10^20;
Xavier (tanh) and Kaiming (ReLU) keep the std near 1 forward and back, and σ from their formulas
matches the σ of the weights torch drew.
"""
from optanim import InitScene

scene = InitScene(
    title="Initialisation: Xavier and Kaiming",
    depth=20,
    width=256,
    activations=("tanh", "relu"),
)
