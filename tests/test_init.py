"""The initialisation scene: σ formulas against torch.nn.init's draws, the signal through a deep
net, the walk through the layers, and a tiny render decoded back."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from PIL import Image
from torch import nn

import optanim
from optanim.cli import main
from optanim.errors import OptanimError
from optanim.lessons.init.recorder import HIST_LIMIT, formula_sigma, init_layer, record_init
from optanim.lessons.init.view import BACKWARD, FORWARD, make_init_movie

from helpers import decode

# (activation, negative slope) with the notebook's gains written out by hand, not taken from torch.
GAINS = [("tanh", 0.01, 5 / 3), ("sigmoid", 0.01, 1.0), ("relu", 0.01, math.sqrt(2)),
         ("leaky_relu", 0.01, math.sqrt(2 / (1 + 0.01 ** 2))), ("leaky_relu", 0.2, math.sqrt(2 / 1.04))]
FANS = [(64, 256), (300, 100), (512, 512)]


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    """These nets are small: on a busy 2-core machine torch's worker threads wait on each other far
    longer than they compute (seconds instead of a fraction of one)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.mark.parametrize("fan_in, fan_out", FANS)
@pytest.mark.parametrize("activation, slope, gain", GAINS)
def test_formula_sigma_matches_the_std_of_the_weights_torch_draws(fan_in, fan_out, activation, slope, gain):
    a = slope if activation == "leaky_relu" else 0.0     # the notebook's a: 0 for plain ReLU
    expected = {"default": 1 / math.sqrt(3 * fan_in), "normal": 1.0,
                "xavier": gain * math.sqrt(2 / (fan_in + fan_out)),
                "kaiming": math.sqrt(2 / ((1 + a ** 2) * fan_in)) if "relu" in activation
                else gain / math.sqrt(fan_in)}
    torch.manual_seed(fan_in + fan_out)
    layer = nn.Linear(fan_in, fan_out)
    n = layer.weight.numel()
    for scheme, sigma in expected.items():
        assert formula_sigma(scheme, activation, fan_in, fan_out, slope) == pytest.approx(sigma, rel=1e-12)
        init_layer(layer, scheme, activation, slope)
        drawn = layer.weight.detach().std().item()
        # The sample std of n normal draws has relative standard error 1/√(2n); allow 5 of them.
        assert drawn == pytest.approx(sigma, rel=5 / math.sqrt(2 * n)), scheme


def test_kaiming_relu_stays_steady_over_20_layers_while_normal_tanh_saturates():
    scene = optanim.InitScene(depth=20, width=256, schemes=("kaiming", "normal"),
                              activations=("relu", "tanh"), batch=300)
    rec = record_init(scene)
    relu, tanh, kaiming, normal = 0, 1, 0, 1
    ratio = rec.act_std[relu, kaiming] / rec.act_std[relu, kaiming, 0]
    assert ((ratio > 0.5) & (ratio < 2)).all(), ratio
    assert rec.act_std[relu, normal, -1] > 1e15                 # N(0, 1) + ReLU explodes
    # N(0, 1) + tanh: nearly every activation of the last layer sits in the bins next to ±1.
    centres = 0.5 * (rec.edges[1:] + rec.edges[:-1])
    at_the_rails = rec.act_hist[tanh, normal, -1][np.abs(centres) > 0.8].sum()
    assert at_the_rails > 0.9 and rec.act_std[tanh, normal, -1] > 0.9
    # The backward pass starts from a standard-normal gradient at the output.
    assert rec.grad_std[:, :, -1] == pytest.approx(1.0, abs=0.05)
    assert rec.weight_std.shape == (2, 2, 20) and rec.act_hist.shape[-1] == len(rec.edges) - 1
    assert rec.act_hist.sum(axis=-1) == pytest.approx(1.0)
    assert rec.edges[[0, -1]].tolist() == [-HIST_LIMIT, HIST_LIMIT]


def test_recording_is_reproducible_and_leaves_the_callers_random_state_alone():
    scene = optanim.InitScene(depth=3, width=16, batch=50, activations=("sigmoid", "leaky_relu"), seed=3)
    torch.manual_seed(123)
    before = torch.rand(1)
    torch.manual_seed(123)
    first = record_init(scene)
    assert torch.rand(1) == before
    second = record_init(scene)
    np.testing.assert_array_equal(first.act_std, second.act_std)
    np.testing.assert_array_equal(first.grad_hist, second.grad_hist)


def test_the_walk_goes_forward_then_back_for_each_activation():
    scene = optanim.InitScene(depth=4, width=8, batch=10, activations=("tanh", "relu"), duration=4, hold=1)
    movie = make_init_movie(scene, record_init(scene), fps=15)
    stops = [movie.stop(f) for f in range(movie.timeline.n_frames)]
    assert movie.timeline.n_frames == 60 + 15
    assert stops[0] == (0, FORWARD, 0) and stops[-1] == (1, BACKWARD, 0)
    assert stops == sorted(stops, key=lambda s: (s[0], s[1], s[2] if s[1] == FORWARD else -s[2]))
    # 60 frames for 20 stops: every layer of every pass is shown
    assert len(set(stops)) == 2 * 2 * 5


@pytest.mark.parametrize("fields, message", [
    ({"activations": ("gelu",)},
     "activations: 'gelu' is not allowed; allowed: tanh, relu, sigmoid, leaky_relu"),
    ({"schemes": ("xavier", "xavier")}, "schemes: each name may appear once"),
    ({"schemes": "xavier"}, "schemes: must be a non-empty list"),
    ({"depth": 0}, "depth: must be a whole number > 0"),
    ({"depth": 500}, "depth: 500 is too large .*allowed: 1 to 100"),
    ({"negative_slope": -1}, "negative_slope: must be >= 0"),
    ({"batch": 1}, "batch: needs at least 2"),
])
def test_bad_fields_name_the_field_and_what_is_allowed(fields, message):
    with pytest.raises(OptanimError, match=message):
        optanim.InitScene(**fields)


def test_cli_renders_a_tiny_init_scene_that_decodes_with_the_right_frames(tmp_path, capsys):
    path = tmp_path / "tiny_init.py"
    path.write_text("from optanim import InitScene\n"
                    "scene = InitScene(depth=6, width=32, batch=64, duration=1, hold=0.4)\n")
    assert isinstance(optanim.load_scene(path), optanim.InitScene)
    assert main([str(path), "--check"]) == 0
    assert main([str(path), "-ql", "--format", "mp4,gif", "--out", str(tmp_path / "media"), "--quiet"]) == 0
    folder = tmp_path / "media" / "tiny_init" / "480p15"
    meta, frames = decode(folder / "init.mp4")
    assert meta["codec"].startswith("h264") and tuple(meta["size"]) == (854, 480)
    assert len(frames) == 15 + 6
    assert np.abs(frames[0].astype(int) - frames[14].astype(int)).mean() > 0.05
    gif = Image.open(folder / "init.gif")
    assert gif.n_frames == 15 + 6 and gif.size == (854, 480)
    assert sorted(p.name for p in folder.iterdir()) == ["init.gif", "init.mp4"]
    assert "init.mp4" in capsys.readouterr().out
