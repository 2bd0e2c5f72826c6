"""Arctic: snowy mountains ringing a frozen lake that lies ahead of the origin."""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field

from ...noise import fbm2
from .base import LandformModel, ViewHint, landform, smoothstep


class ArcticParams(LandformModel):
    kind: Literal["arctic"] = Field("arctic", description="landform type (fixed by the scene)")
    peak_height: float = Field(420.0, ge=10.0, le=4000.0, description="height of the snowy mountains, m")
    scale: float = Field(1300.0, gt=50.0, le=20000.0, description="horizontal size of the mountains, m")
    lake_radius: float = Field(260.0, ge=0.0, le=5000.0, description="radius of the frozen lake basin, m")


def _setup(lf, rng) -> None:
    lf.water.lake_level = 0.0


def _view(lf) -> ViewHint:  # at the lake shore, looking over the ice to the mountains
    return ViewHint(np.array([0.0, lf.p.lake_radius * 0.15]), np.pi / 2, yaw_spread=0.6)


@landform("arctic", ArcticParams, setup=_setup, view_hint=_view)
def arctic(lf, x, y):
    p = lf.p
    rr = lf._ridges(x, y, p.scale, 0.4, 11, 0.5, 1.3, lf.perms["a"])
    dist = np.hypot(x - 0.0, y - p.lake_radius * 0.9)  # the lake lies ahead of the origin
    bowl = smoothstep(p.lake_radius * 0.6, p.lake_radius * 2.2, dist)
    u, v = lf._uv(x, y)
    gentle = 6.0 * fbm2(u / 150.0, v / 150.0, lf.perms["b"], 5)
    return -3.0 + (p.peak_height * rr + gentle + 4.0) * bowl + 2.0 * bowl + lf._detail(x, y, 0.1)
