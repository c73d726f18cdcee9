"""The views, by name: each draws one kind of panel. A new view is a new file here and a line below."""

from __future__ import annotations

from .base import View
from .contour import ContourView
from .fit import FitView
from .loss import LossView
from .lr import LearningRateView
from .readout import ReadoutView
from .state import StateView
from .surface import SurfaceView

VIEWS: dict[str, type[View]] = {v.name: v for v in (ContourView, SurfaceView, LossView, FitView,
                                                     LearningRateView, StateView)}
DASHBOARD = "dashboard"
ALL_VIEWS = (*VIEWS, DASHBOARD)

__all__ = ["ALL_VIEWS", "DASHBOARD", "VIEWS", "ReadoutView", "View"]
