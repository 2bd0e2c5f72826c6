"""A mountain lake: a basin ringed by peaks, the land outside the ring falling away to rolling
hills. The lake's level and shore are not set here: the terrain field fills the eroded basin to
its spill level (the lowest pass of the ring)."""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field

from ...noise import fbm2
from .base import LandformModel, ViewHint, landform, smoothstep


class LakeParams(LandformModel):
    kind: Literal["lake"] = Field("lake", description="landform type (fixed by the scene)")
    peak_height: float = Field(320.0, ge=0.0, le=4000.0, description="height of the mountains around the basin, m")
    scale: float = Field(1400.0, gt=50.0, le=20000.0, description="horizontal size of the mountains, m")
    basin_radius: float = Field(380.0, ge=50.0, le=5000.0, description="radius of the lake basin, m")
    basin_depth: float = Field(22.0, ge=1.0, le=500.0, description="depth of the basin floor below its rim foot, m")
    shore_wander: float = Field(0.35, ge=0.0, le=1.0, description="bays and points of the basin (fraction of the radius)")


def basin_centre(lf) -> np.ndarray:
    """Centre of the basin: it lies ahead of the origin along ``angle``."""
    return lf.p.basin_radius * 1.1 * np.array([np.cos(lf.angle), np.sin(lf.angle)])


def _view(lf) -> ViewHint:  # on the near shore, looking across the basin (the field refines it on the lake)
    c = basin_centre(lf)
    return ViewHint(c * (1.0 - 0.9 * lf.p.basin_radius / np.linalg.norm(c)), lf.angle, yaw_spread=0.3)


@landform("lake", LakeParams, view_hint=_view, basin_centre=basin_centre)
def lake(lf, x, y):
    p = lf.p
    u, v = lf._uv(x, y)
    c = basin_centre(lf)
    R = p.basin_radius
    dist = np.hypot(x - c[0], y - c[1])
    dist = dist * (1.0 + p.shore_wander * fbm2(u / (0.9 * R), v / (0.9 * R), lf.perms["warp"], 3))
    rr = lf._ridges(x, y, p.scale, 0.5, 11, 0.5, 1.2, lf.perms["a"])
    ring = smoothstep(0.5 * R, 1.8 * R, dist) * (1.0 - smoothstep(2.6 * R, 6.0 * R, dist))
    floor = -p.basin_depth * (1.0 - smoothstep(0.0, 1.1 * R, dist))
    outside = -0.02 * np.maximum(dist - 2.6 * R, 0.0)  # beyond the ring the land drains away
    gentle = 5.0 * fbm2(u / 180.0, v / 180.0, lf.perms["b"], 5)
    return floor + ring * (p.peak_height * rr + 15.0) + outside + gentle + lf._detail(x, y, 0.1)
