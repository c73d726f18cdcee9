"""Warm-up then cosine decay, stepped after every optimizer step, against a constant rate.

Almost every modern training run starts with a small learning rate that grows linearly for a while
(the warm-up), then lets it fall along half a cosine to the end. Here Adam runs at a large peak rate,
0.3, both ways: once at 0.3 throughout, once warmed up from 0.003 over the first 5 epochs and then
decayed. The schedule is a function optimizer -> scheduler, so any scheduler torch has can be used.

What a student sees: at 0.3 from the first step, Adam's first steps throw it over the ridge into the
flat a = 0 valley, where it stays; warmed up, it takes small steps while its moment estimates are
still poor, finds the true valley, and the decaying rate lets it settle at the true parameters. The
lr view shows both rates at every step.
"""
from torch.optim.lr_scheduler import CosineAnnealingLR, LambdaLR, LinearLR, SequentialLR

from optanim import Scene

EPOCHS, STEPS_PER_EPOCH = 50, 13   # 200 samples in batches of 16
WARMUP = 5 * STEPS_PER_EPOCH


def constant(optimizer):
    return LambdaLR(optimizer, lambda step: 1.0)


def warmup_cosine(optimizer):
    warm = LinearLR(optimizer, start_factor=0.01, total_iters=WARMUP)
    decay = CosineAnnealingLR(optimizer, T_max=EPOCHS * STEPS_PER_EPOCH - WARMUP)
    return SequentialLR(optimizer, [warm, decay], milestones=[WARMUP])


scene = Scene(
    title="Warm-up + cosine against a constant rate: Adam at 0.3",
    optimizers=["adam"],
    lr=0.3,
    epochs=EPOCHS,
    scheduler_every="step",
    sweep={"scheduler": [constant, warmup_cosine]},
)
