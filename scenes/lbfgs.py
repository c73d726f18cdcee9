"""L-BFGS on Rosenbrock's valley: a quasi-Newton method against Adam and momentum.

L-BFGS builds a picture of the curvature from its last few steps (history_size of them) and steps
towards where that picture puts the minimum; a line search (strong Wolfe) then picks how far to go,
evaluating the loss and its gradient as often as it needs. Its step() therefore takes a closure that
evaluates the function; optanim gives it one, and the readout counts the evaluations of each step.

What a student sees: L-BFGS turns with the curved valley and reaches the minimum (1, 1) in a few
dozen steps, two or three evaluations each, while SGD + momentum needs the whole 1000 steps and Adam
is still on its way.
"""
from optanim import Scene

scene = Scene(
    title="L-BFGS follows the curvature: Rosenbrock in a few dozen steps",
    loss="rosenbrock",
    init=(-1.5, 2.0),
    steps=1000,
    lr=1e-3,
    optimizers={
        # One L-BFGS iteration per step, so that each step on screen is one of its moves. torch's
        # default max_eval is max_iter × 5/4, which for one iteration leaves its line search no
        # evaluation: give it room.
        "lbfgs": {"lr": 1, "max_iter": 1, "max_eval": 25, "history_size": 10, "line_search_fn": "strong_wolfe"},
        "sgdm": {},
        "adam": {"lr": 0.02},
    },
)
