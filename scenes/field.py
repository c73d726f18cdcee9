"""Many starts at once: experiment 5's region, a 60 x 40 grid of starts around its start (5, 3).

What a student sees: where a start ends depends on where it begins. Starts left of the ridge near
a = 3 slide into the true minimum (1.2, 2.5); starts right of it settle in the local valley near
(5.6, 4.2) where experiment 5's single start ends. The basins view colours each start by where it
ends, one map per optimizer: momentum and Adam carry some starts over the ridge, SGD almost none.
"""
from optanim import Scene

scene = Scene(
    title="Many starts: experiment 5's region, a 60 x 40 grid of starts",
    init=(5.0, 3.0),
    starts=(60, 40),
    a_range=(-0.5, 7.5),
    b_range=(0.5, 6.0),
    epochs=60,
    lr=0.1,
    weight_decay=1e-4,
    lr_lambda=lambda epoch: 0.9 ** epoch,
    scheduler_order="notebook",
)
