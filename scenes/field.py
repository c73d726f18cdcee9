"""Many starts at once: experiment 5's region, a 60 x 40 grid of starts around its start (5, 3).

What a student sees: where a start ends depends on where it begins. In the basins view (one map per
optimizer, each start coloured by where it ends) most starts left of a = 3 reach the true minimum
(1.2, 2.5), and those to the right end in experiment 5's valley, at (3.9, 4.2) or (5.6, 4.3), as its
single start (5, 3) does. A fifth to a quarter of the starts reach the true minimum (RMSprop 27%,
Adam and Adamax 24%, SGD 19%, SGD + momentum 11%); many leave this small window, counted as diverged,
momentum's most of all (72%). The field view shows them travelling, one panel per optimizer.
"""
from optanim import Scene

scene = Scene(
    title="Many starts: experiment 5's region, a 60 x 40 grid of starts",
    init=(5.0, 3.0),
    starts=(60, 40),
    a_range=(-0.5, 7.5),
    b_range=(0.5, 6.0),
    epochs=60,                    # lr 0.1 x 0.9^epoch has all but stopped by then
    lr=0.1,
    weight_decay=1e-4,
    lr_lambda=lambda epoch: 0.9 ** epoch,
    scheduler_order="notebook",
)
