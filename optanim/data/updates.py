"""The update rules of torch.optim written out, with the numbers a recording holds at every step.

Nothing here re-runs an optimizer: the state (m, v, sum, ...) and the gradient are the recorded
ones; what is derived (bias-corrected moments, the effective step size) is arithmetic on them with
the optimizer's own settings, and the step shown as taken is the recorded (a, b)[i+1] - (a, b)[i].
Formulas are matplotlib mathtext strings.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .recording import Trajectory


@dataclass(frozen=True)
class Line:
    """One line of a rule: its formula, and its value for (a, b) at every step (NaN: not known)."""

    formula: str
    values: np.ndarray           # (steps, 2)

    @property
    def symbol(self) -> str:
        """What the line defines, for a compact panel: the formula's left side ($m$ of $m \\leftarrow ...$)."""
        for sign in (r" \leftarrow", " ="):
            if sign in self.formula:
                return self.formula.split(sign)[0] + "$"
        return self.formula


@dataclass(frozen=True)
class UpdateRule:
    """One run's optimizer as a student reads it: the lines of its step() with their numbers, the
    effective step size per parameter (None where no formula is written out here), the state that
    acts as a velocity (None without momentum), its constants, and what its state does to the steps."""

    name: str
    lines: tuple[Line, ...]
    rate: np.ndarray | None      # (steps, 2): the factor the (corrected) gradient or momentum is scaled by
    velocity: np.ndarray | None  # (steps, 2): momentum_buffer or exp_avg
    constants: str
    why: str


def step_taken(path: Trajectory) -> np.ndarray:
    """(steps, 2): (a, b)[i+1] - (a, b)[i]; the last row NaN (the step after it is not recorded)."""
    theta = np.stack([path.a, path.b], axis=1).astype(float)
    return np.concatenate([np.diff(theta, axis=0), np.full((min(1, len(theta)), 2), np.nan)])


def update_rule(path: Trajectory) -> UpdateRule:
    """The rule of the run's optimizer, chosen by its registry name and the state it keeps."""
    kind = path.optimizer
    if kind in ("sgd", "sgdm"):
        return _sgd(path) if "momentum_buffer" in path.state else _plain_sgd(path)
    rule = {"adagrad": _adagrad, "rmsprop": _rmsprop, "adam": _adam, "adamw": _adam, "adamax": _adamax}.get(kind)
    return rule(path) if rule else _recorded(path)


def _gradient(path: Trajectory) -> Line:
    """g as step() uses it: the loss's gradient, plus λθ where weight decay is coupled (L2)."""
    decay = path.hyper.get("weight_decay", 0.0)
    if decay == 0 or path.hyper.get("decoupled_weight_decay", 0.0):
        return Line(r"$g = \nabla L(\theta)$", path.grad.astype(float))
    theta = np.stack([path.a, path.b], axis=1).astype(float)
    return Line(r"$g = \nabla L(\theta) + \lambda\theta$", path.grad + decay * theta)


def _per_parameter(values: np.ndarray) -> np.ndarray:
    return np.broadcast_to(np.asarray(values, float)[:, None], (len(values), 2))


def _t(path: Trajectory) -> np.ndarray:
    """The optimizer's step count after step i: i + 1 (bias corrections use it)."""
    return np.arange(1, len(path.a) + 1, dtype=float)[:, None]


def _taken(formula: str, path: Trajectory) -> Line:
    return Line(formula.rstrip("$") + r"\quad(\mathrm{taken})$", step_taken(path))


def _constants(path: Trajectory, names: dict[str, str]) -> str:
    """The settings a rule uses, as '$\\beta_1$ = 0.9, ...' (those the optimizer has; zero ones left out:
    they drop out of the rule)."""
    return ",  ".join(f"{symbol} = {path.hyper[name]:g}" for name, symbol in names.items() if path.hyper.get(name))


def _plain_sgd(path: Trajectory) -> UpdateRule:
    rate = _per_parameter(path.lr)
    return UpdateRule("SGD", (_gradient(path), Line(r"$\eta = \mathrm{lr}$", rate),
                              _taken(r"$\Delta\theta = -\eta\,g$", path)), rate, None,
                      _constants(path, {"weight_decay": r"$\lambda$"}),
                      "One rate for every parameter: the step is lr times the slope, so it shrinks as the slope does.")


def _sgd(path: Trajectory) -> UpdateRule:
    damp = path.hyper.get("dampening", 0.0)
    velocity = path.state["momentum_buffer"]
    rate = _per_parameter(path.lr)
    push = r"$\Delta\theta = -\eta\,(g + \mu v)$" if path.hyper.get("nesterov") else r"$\Delta\theta = -\eta\,v$"
    return UpdateRule("SGD + momentum", (
        _gradient(path),
        Line(r"$v \leftarrow \mu v + (1-\tau)\,g$" if damp else r"$v \leftarrow \mu v + g$", velocity),
        Line(r"$\eta = \mathrm{lr}$", rate), _taken(push, path)), rate, velocity,
        _constants(path, {"momentum": r"$\mu$", "dampening": r"$\tau$", "weight_decay": r"$\lambda$"}),
        "v adds up past gradients: the path keeps its speed across flat ground, and overshoots.")


def _adagrad(path: Trajectory) -> UpdateRule:
    total = path.state["sum"]
    decay = path.hyper.get("lr_decay", 0.0)
    lr = path.lr[:, None] / (1 + (_t(path) - 1) * decay)
    rate = lr / (np.sqrt(total.astype(float)) + path.hyper.get("eps", 0.0))
    eta = r"$\eta = \mathrm{lr}\,/\,(\sqrt{\mathrm{sum}} + \epsilon)$"
    return UpdateRule("Adagrad", (
        _gradient(path), Line(r"$\mathrm{sum} \leftarrow \mathrm{sum} + g^2$", total),
        Line(eta if not decay else eta.replace(r"\mathrm{lr}", r"\mathrm{lr}_t"), rate),
        _taken(r"$\Delta\theta = -\eta\,g$", path)), rate, None,
        _constants(path, {"eps": r"$\epsilon$", "lr_decay": "lr decay", "weight_decay": r"$\lambda$"}),
        "sum only ever grows, so η only ever shrinks: the steps die out before the minimum.")


def _rmsprop(path: Trajectory) -> UpdateRule:
    square = path.state["square_avg"].astype(float)
    eps = path.hyper.get("eps", 0.0)
    lines = [_gradient(path), Line(r"$s \leftarrow \alpha s + (1-\alpha)\,g^2$", path.state["square_avg"])]
    if "grad_avg" in path.state:   # centred: divide by the gradient's spread, not its size
        lines.append(Line(r"$\bar g \leftarrow \alpha \bar g + (1-\alpha)\,g$", path.state["grad_avg"]))
        square = square - path.state["grad_avg"].astype(float) ** 2
        eta = r"$\eta = \mathrm{lr}\,/\,(\sqrt{s - \bar g^2} + \epsilon)$"
    else:
        eta = r"$\eta = \mathrm{lr}\,/\,(\sqrt{s} + \epsilon)$"
    rate = path.lr[:, None] / (np.sqrt(square) + eps)
    lines.append(Line(eta, rate))
    velocity = path.state.get("momentum_buffer")
    if velocity is not None:
        lines.append(Line(r"$v \leftarrow \mu v + \eta\,g\,/\,\mathrm{lr}$", velocity))
    lines.append(_taken(r"$\Delta\theta = -\mathrm{lr}\,v$" if velocity is not None else r"$\Delta\theta = -\eta\,g$",
                        path))
    return UpdateRule("RMSprop", tuple(lines), rate, velocity,
                      _constants(path, {"alpha": r"$\alpha$", "eps": r"$\epsilon$", "momentum": r"$\mu$",
                                        "weight_decay": r"$\lambda$"}),
                      "s forgets old gradients: where the slope shrinks, η grows back.")


def _moments(path: Trajectory) -> tuple[np.ndarray, np.ndarray]:
    """m̂ = m / (1 - β₁ᵗ) and the bias correction 1 - β₂ᵗ, from the recorded m."""
    t = _t(path)
    return (path.state["exp_avg"] / (1 - path.hyper["betas.0"] ** t),
            1 - path.hyper["betas.1"] ** t)


def _adam(path: Trajectory) -> UpdateRule:
    m_hat, correction2 = _moments(path)
    second = path.state.get("max_exp_avg_sq", path.state["exp_avg_sq"])   # amsgrad divides by the largest v
    v_hat = second / correction2
    rate = path.lr[:, None] / (np.sqrt(v_hat) + path.hyper["eps"])
    decoupled = bool(path.hyper.get("decoupled_weight_decay")) and path.hyper.get("weight_decay", 0.0) != 0
    lines = [_gradient(path), Line(r"$m \leftarrow \beta_1 m + (1-\beta_1)\,g$", path.state["exp_avg"]),
             Line(r"$v \leftarrow \beta_2 v + (1-\beta_2)\,g^2$", path.state["exp_avg_sq"])]
    if "max_exp_avg_sq" in path.state:
        lines.append(Line(r"$v_{max} \leftarrow \max(v_{max}, v)$", path.state["max_exp_avg_sq"]))
    lines += [Line(r"$\hat m = m\,/\,(1-\beta_1^t)$", m_hat),
              Line(r"$\hat v = v\,/\,(1-\beta_2^t)$", v_hat),
              Line(r"$\eta = \mathrm{lr}\,/\,(\sqrt{\hat v} + \epsilon)$", rate),
              _taken(r"$\Delta\theta = -\eta\,\hat m - \mathrm{lr}\,\lambda\theta$" if decoupled
                     else r"$\Delta\theta = -\eta\,\hat m$", path)]
    return UpdateRule("AdamW" if path.optimizer == "adamw" else "Adam", tuple(lines), rate, path.state["exp_avg"],
                      _constants(path, {"betas.0": r"$\beta_1$", "betas.1": r"$\beta_2$", "eps": r"$\epsilon$",
                                        "weight_decay": r"$\lambda$"}),
                      r"$\hat v$ follows the recent $g^2$: where the slope shrinks, η grows, so the steps keep their size.")


def _adamax(path: Trajectory) -> UpdateRule:
    m_hat, _ = _moments(path)
    rate = path.lr[:, None] / path.state["exp_inf"]
    return UpdateRule("Adamax", (
        _gradient(path), Line(r"$m \leftarrow \beta_1 m + (1-\beta_1)\,g$", path.state["exp_avg"]),
        Line(r"$u \leftarrow \max(\beta_2 u,\ |g| + \epsilon)$", path.state["exp_inf"]),
        Line(r"$\hat m = m\,/\,(1-\beta_1^t)$", m_hat), Line(r"$\eta = \mathrm{lr}\,/\,u$", rate),
        _taken(r"$\Delta\theta = -\eta\,\hat m$", path)), rate, path.state["exp_avg"],
        _constants(path, {"betas.0": r"$\beta_1$", "betas.1": r"$\beta_2$", "eps": r"$\epsilon$",
                          "weight_decay": r"$\lambda$"}),
        "u is the largest recent |g|, decaying slowly: one steep stretch keeps η small for a long while.")


def _recorded(path: Trajectory) -> UpdateRule:
    """An optimizer without a rule written out here: its state as torch.optim keeps it."""
    lines = [_gradient(path), *(Line(name, values) for name, values in path.state.items()),
             _taken(r"$\Delta\theta$", path)]
    velocity = path.state.get("exp_avg", path.state.get("momentum_buffer"))
    return UpdateRule(path.label, tuple(lines), None, velocity, "",
                      "Its state as its step() keeps it, by its own names; no formula is written out here for this optimizer.")
