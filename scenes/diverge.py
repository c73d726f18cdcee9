"""Too large a learning rate, on purpose: a lesson in divergence.

What a student sees: RMSprop and Adam take steps of about lr = 3 at once and leave the window
within a few steps, SGD + momentum builds up speed and follows; each is marked "diverged at step N"
and stops while the others go on. SGD, Adagrad and Adamax survive but land at a = 0, where
sin(b·cos(0)) is a constant: a flat valley that fits the mean of the data, not the curve.
"""
from optanim import Scene

scene = Scene(
    title="Divergence: a learning rate far too large",
    lr=3.0,
    epochs=20,
)
