"""The state view: the rules written out agree with the steps torch.optim took, the numbers on screen
are the recording's, and the view renders alone, in the dashboard and without data."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from matplotlib.text import Text

import optanim
from optanim.data.updates import update_rule
from optanim.draw import style
from optanim.stage.animator import Animator
from optanim.stage.layout import DASHBOARD_CELLS, compose
from optanim.spec.quality import QUALITIES
from optanim.render import build_movie
from optanim.views.base import fmt
from optanim.views.state import ARROW_RANGE, StateView, log_lengths

from helpers import decode, tiny_scene

RUNS = {"sgd": {}, "sgdm": {}, "adagrad": {}, "rmsprop": {}, "adam": {}, "adamax": {},
        "adamw": {"weight_decay": 0.1}, "nadam": {}}


@pytest.fixture(scope="module")
def recording():
    return optanim.record(optanim.Scene(epochs=2, lr=0.02, optimizers=RUNS))


def test_each_rules_effective_step_size_makes_the_step_torch_took(recording):
    """Δθ = −η·(g, v or m̂) with η as the view shows it, against the recorded (a, b)[i+1] − (a, b)[i]."""
    for key, path in recording.paths.items():
        rule = update_rule(path)
        theta = np.stack([path.a, path.b], axis=1).astype(float)
        taken = np.diff(theta, axis=0)
        t = np.arange(1, len(theta) + 1)[:, None]
        pushed = {"sgd": path.grad, "adagrad": path.grad, "rmsprop": path.grad,
                  "sgdm": rule.velocity}.get(key)
        if pushed is None and rule.rate is not None:   # the Adams: bias-corrected m
            pushed = rule.velocity / (1 - path.hyper["betas.0"] ** t)
        if rule.rate is None:
            assert key == "nadam" and set(path.state) <= {"exp_avg", "exp_avg_sq"}
            continue
        predicted = -rule.rate * pushed
        if key == "adamw":
            predicted = predicted - path.lr[:, None] * path.hyper["weight_decay"] * theta
        np.testing.assert_allclose(predicted[:-1], taken, rtol=2e-3, atol=5e-7, err_msg=key)


def test_adagrads_rate_only_shrinks_and_adams_recovers(recording):
    adagrad = update_rule(recording.paths["adagrad"]).rate
    assert (np.diff(adagrad, axis=0) <= 0).all() and adagrad[-1].max() < adagrad[0].min()
    assert np.ptp(update_rule(recording.paths["sgd"]).rate) == 0


def test_log_lengths_keep_every_arrow_readable_and_order_them():
    big, small = np.array([[3.0, 4.0], [0.0, 0.0]]), np.array([[1e-6, 0.0], [np.nan, 1.0]])
    lengths_big, lengths_small = log_lengths([big, small])
    assert lengths_big[0] == pytest.approx(ARROW_RANGE[1]) and lengths_small[0] == pytest.approx(ARROW_RANGE[0])
    assert np.isnan(lengths_big[1]) and np.isnan(lengths_small[1])   # nothing to draw
    assert np.mean(ARROW_RANGE) == pytest.approx(log_lengths([np.array([[1.0, 0.0], [1e-2, 0], [1e-4, 0]])])[0][1])


def _state_view(scene, recording, view="state"):
    quality = QUALITIES["l"]
    movie = build_movie(scene, recording, quality)
    fig, panels = compose(view, movie, quality)
    return movie, fig, panels, next(p for p in panels if isinstance(p, StateView))


def _numbers_after(texts: list[Text], formula_start: str) -> tuple[str, str]:
    """The two numbers (a, b) drawn under the rule's line that starts so."""
    index = next(i for i, t in enumerate(texts) if t.get_text().startswith(formula_start))
    return tuple(texts[index + 1].get_text().split())


def test_numbers_on_screen_are_the_recordings_at_a_frame():
    scene = tiny_scene(epochs=3, optimizers=["sgd", "adam"], state_focus="adam")
    recording = optanim.record(scene)
    movie, fig, panels, view = _state_view(scene, recording)
    frame = movie.timeline.n_frames // 2
    Animator(fig, panels).frame(frame)
    s = movie.step("adam", frame)
    path = recording.paths["adam"]
    rule_ax = next(ax for ax in fig.axes if any(t.get_text() == "Adam" for t in ax.texts))
    texts = rule_ax.texts
    assert any(t.get_text() == f"step {s}   t = {s + 1}   lr = {fmt(path.lr[s])}" for t in texts)
    assert _numbers_after(texts, r"$g =") == (fmt(path.grad[s, 0]), fmt(path.grad[s, 1]))
    assert _numbers_after(texts, r"$m \leftarrow") == tuple(fmt(v) for v in path.state["exp_avg"][s])
    assert _numbers_after(texts, r"$v \leftarrow") == tuple(fmt(v) for v in path.state["exp_avg_sq"][s])
    taken = (path.a[s + 1] - path.a[s], path.b[s + 1] - path.b[s])
    assert _numbers_after(texts, r"$\Delta\theta") == tuple(fmt(v) for v in taken)
    v_hat = path.state["exp_avg_sq"][s].astype(float) / (1 - 0.999 ** (s + 1))
    eta = [float(v) for v in _numbers_after(texts, r"$\eta")]
    np.testing.assert_allclose(eta, path.lr[s] / (np.sqrt(v_hat) + 1e-8), rtol=1e-3)
    # the arrows start at each run's head, the step taken points where the path went next
    start, end = view.arrow_ends(frame)["adam", "step"]   # pixels: the step points where the path went
    pixels = view.contour.ax.transData.transform
    np.testing.assert_allclose(start, pixels(movie.head("adam", frame, path.a, path.b)[:, 0]))   # as drawn
    head = np.array([path.a[s], path.b[s]], dtype=float)
    along, taken_px = end - start, pixels(head + taken) - pixels(head)
    assert along @ taken_px / np.linalg.norm(along) / np.linalg.norm(taken_px) > 0.9999
    assert len(view.tips.get_paths()) == sum(len(v.get_segments()) for v in view.shafts.values()) == 5


def test_state_video_decodes_and_moves(tmp_path):
    scene = tiny_scene(optimizers=["adagrad", "adam"], duration=1.0, hold=0.2)
    written = optanim.render(scene, views=["state"], quality="l", formats=["mp4"], out=tmp_path)
    meta, frames = decode(written[0])
    assert tuple(meta["size"]) == (854, 480) and len(frames) == 15 + 3
    assert np.abs(frames[0].astype(int) - frames[-1].astype(int)).mean() > 0.05


def test_dashboard_can_hold_the_state_view_across_two_cells_and_stays_as_it_was_by_default():
    assert optanim.Scene().dashboard_views == tuple(DASHBOARD_CELLS)
    scene = tiny_scene(dashboard_views=("state", "state", "fit", "loss", "lr"))
    recording = optanim.record(scene)
    movie, fig, panels, view = _state_view(scene, recording, "dashboard")
    assert [p.name for p in panels] == ["state", "fit", "loss", "lr", "readout"]
    boxes = [ax.get_position() for ax in fig.axes if ax is not view.ax and ax.get_position().y0 > 0.45]
    left, right = DASHBOARD_CELLS["contour"], DASHBOARD_CELLS["surface"]
    assert view.ax.get_position().x0 == pytest.approx(left[0])          # the contour opens the span
    assert max(b.x1 for b in boxes if b.x1 < 0.7) == pytest.approx(right[0] + right[2])  # to the 2nd cell's end
    Animator(fig, panels).frame(movie.timeline.n_frames - 1)
    assert min(t.get_fontsize() for t in view.rule.numbers) >= style.MIN_TEXT_PT   # legible at 480p
    default = compose("dashboard", build_movie(tiny_scene(), recording, QUALITIES["l"]), QUALITIES["l"])[1]
    assert [p.name for p in default] == ["contour", "surface", "fit", "loss", "lr", "readout"]


@pytest.mark.parametrize("cells, message", [
    (("state", "fit", "state"), "twice apart"), (("contour", "surface", "loss", "loss"), "one row"),
    ("state", "view names"), (("a",) * 6, "view names")])
def test_dashboard_views_are_checked(cells, message):
    with pytest.raises(optanim.OptanimError, match=f"dashboard_views: .*{message}"):
        optanim.Scene(dashboard_views=cells)


def test_an_unknown_dashboard_view_fails_before_any_recording(tmp_path, monkeypatch):
    import importlib

    render_module = importlib.import_module("optanim.render")
    monkeypatch.setattr(render_module, "record", lambda scene: pytest.fail("recorded"))
    with pytest.raises(optanim.OptanimError, match="dashboard_views: unknown .*'stat'.*did you mean 'state'"):
        optanim.render(tiny_scene(dashboard_views=("stat",)), views=["dashboard"], out=tmp_path, cache=False)


def test_state_view_needs_no_data():
    scene = tiny_scene(optimizers=["sgdm", "rmsprop"])
    recording = optanim.record(scene)
    bare = replace(recording, x=None, y=None, order=None, batch_size=None)
    assert not bare.has_data
    movie, fig, panels, view = _state_view(scene, bare)
    frame = Animator(fig, panels).frame(movie.timeline.n_frames // 2)
    assert frame.shape == (480, 854, 4)
    assert {kind for key, kind in view.arrow_ends(movie.timeline.n_frames // 2) if key == "sgdm"} == \
        {"step", "gradient", "velocity"}
