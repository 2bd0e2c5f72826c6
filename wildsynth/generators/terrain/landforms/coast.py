"""A sea coast: a sandy beach, hills behind it, the sea floor falling away offshore."""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field

from ...noise import fbm2
from .base import LandformModel, ViewHint, landform, smoothstep


class CoastParams(LandformModel):
    kind: Literal["coast"] = Field("coast", description="landform type (fixed by the scene)")
    land_height: float = Field(60.0, ge=2.0, le=1000.0, description="height of the hinterland, m")
    beach_width: float = Field(45.0, ge=0.0, le=500.0, description="width of the sandy beach, m")
    sea_cliffs: float = Field(0.0, ge=0.0, le=300.0, description="height of cliffs at the shore (0: none), m")
    shore_wander: float = Field(150.0, ge=0.0, le=3000.0, description="bays and headlands, m")
    sea_depth: float = Field(40.0, ge=1.0, le=2000.0, description="depth of the sea floor offshore, m")


def _setup(lf, rng) -> None:
    lf.water.sea_level = 0.0


def _view(lf) -> ViewHint:  # on the beach, looking along the shore and out to sea
    p = lf.p
    side = np.array([-np.sin(lf.angle), np.cos(lf.angle)])
    shore = p.shore_wander * fbm2(np.zeros(1), np.full(1, 0.2), lf.perms["aux"], 4)[0]
    return ViewHint(side * (shore + p.beach_width * 0.5), lf.angle - np.pi / 2 + 0.8, yaw_spread=0.4)


@landform("coast", CoastParams, setup=_setup, view_hint=_view)
def coast(lf, x, y):
    p = lf.p
    a, b = lf._rot(x, y)
    u, v = lf._uv(x, y)
    shore = p.shore_wander * fbm2(a / 900.0, 0.2 + 0 * a, lf.perms["aux"], 4)
    s = b - shore  # > 0 on land
    beach = np.clip(s / max(p.beach_width, 1.0), -1.0, 1.0) * 1.8  # gentle sandy slope through z = 0
    sea = -p.sea_depth * (1.0 - np.exp(np.minimum(s, 0.0) / 250.0))
    inland = smoothstep(p.beach_width, p.beach_width + 300.0, s)
    hills = p.land_height * inland * (0.6 + 0.4 * fbm2(u / 600.0, v / 600.0, lf.perms["a"], 7))
    cliff = p.sea_cliffs * smoothstep(2.0, 10.0, s) * (0.7 + 0.3 * fbm2(u / 150.0, v / 150.0, lf.perms["b"], 3))
    return np.where(s > 0, beach + hills + cliff, beach * 0.5 + sea) + lf._detail(x, y, 0.08)
