"""The views, by name: each draws one kind of panel. A new view is a new file here and a line below."""

from __future__ import annotations

from .accuracy import AccuracyView
from .base import View
from .basins import BasinsView
from .batch import BatchView
from .boundary import BoundaryView
from .contour import ContourView
from .field import FieldView
from .fit import FitView
from .gradnorm import GradNormView
from .loss import LossView
from .lr import LearningRateView
from .readout import ReadoutView
from .state import StateView
from .surface import SurfaceView

VIEWS: dict[str, type[View]] = {v.name: v for v in (ContourView, SurfaceView, LossView, FitView,
                                                     LearningRateView, GradNormView, StateView, FieldView,
                                                     BasinsView, BatchView, BoundaryView, AccuracyView)}
#: What the dashboard shows in a cell whose view does not apply to a scene's kind: view -> kind -> stand-in.
STAND_INS = {"fit": {"loss": "gradnorm", "classes": "boundary"}, "lr": {"classes": "accuracy"},
             "batch": {"loss": "gradnorm"}}
DASHBOARD = "dashboard"
ALL_VIEWS = (*VIEWS, DASHBOARD)

__all__ = ["ALL_VIEWS", "DASHBOARD", "STAND_INS", "VIEWS", "ReadoutView", "View"]
