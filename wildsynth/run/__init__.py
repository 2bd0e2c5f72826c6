"""The one pipeline (``run``): a run spec in, a complete output folder out."""

from .compose import Composed, compose, plan_motion
from .formats import FORMATS, Format, register_format
from .pipeline import Reporter, RunResult, peak_rss_mb, run
from .spec import RunOptions, RunSpec
from .writer import MARKER

__all__ = ["FORMATS", "MARKER", "Composed", "Format", "Reporter", "RunOptions", "RunResult", "RunSpec", "compose",
           "peak_rss_mb", "plan_motion", "register_format", "run"]
