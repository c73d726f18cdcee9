"""What SGD sees: Experiment 1 with plain SGD at batch sizes 4, 16 and 200 (all the data), side by side.

A sweep over batch_size, one optimizer. `--views batch` shows, in each panel, the loss over the
mini-batch that the step uses (violet), over the loss over all data (grey): with 4 samples the
batch's landscape jumps from step to step and SGD zig-zags after it; with 16 it moves less; with
all 200 it is the full landscape, it stays, and SGD walks straight down it.

Experiment 1's start, data and 50 epochs, at lr 0.2: at the notebook's 0.01 the full-batch run (one
step per epoch, 50 in all) would barely leave its start.
"""
from optanim import Scene

scene = Scene(
    title="What SGD sees: the loss on each mini-batch, at batch sizes 4, 16 and 200",
    optimizers=["sgd"],
    lr=0.2,
    sweep={"batch_size": [4, 16, 200]},
    scheduler_order="notebook",   # as Experiment 1 (the rate is constant: the order changes nothing)
)
