"""A canyon: terraced rock walls cut into a plateau, side canyons leaving mesas and buttes."""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field

from ...noise import fbm2
from .base import LandformModel, ViewHint, landform, smoothstep, terrace


class CanyonParams(LandformModel):
    kind: Literal["canyon"] = Field("canyon", description="landform type (fixed by the scene)")
    plateau_height: float = Field(160.0, ge=10.0, le=2000.0, description="depth of the canyon below the plateau, m")
    width: float = Field(260.0, ge=20.0, le=5000.0, description="rim-to-rim width of the canyon, m")
    meander: float = Field(350.0, ge=0.0, le=5000.0, description="sideways wander of the canyon, m")
    strata: int = Field(7, ge=0, le=40, description="number of rock layers (terraces) in the walls")
    strata_sharpness: float = Field(0.6, ge=0.0, le=1.0, description="how steep the terrace risers are")
    mesas: float = Field(0.5, ge=0.0, le=1.0, description="how much of the plateau is cut into mesas and buttes")


def _view(lf) -> ViewHint:  # stand near the rim and look into and along the canyon
    p = lf.p
    side = np.array([-np.sin(lf.angle), np.cos(lf.angle)])
    centre = p.meander * fbm2(np.zeros(1) / (p.width * 8.0), np.full(1, 0.3), lf.perms["aux"], 3)[0]
    eye = side * (centre + 0.72 * p.width)
    return ViewHint(eye, lf.angle - np.pi / 2 + 0.7, yaw_spread=0.3)


@landform("canyon", CanyonParams, view_hint=_view)
def canyon(lf, x, y):
    p = lf.p
    a, b = lf._rot(x, y)
    u, v = lf._uv(x, y)
    centre = p.meander * fbm2(a / (p.width * 8.0), 0.3 + 0 * a, lf.perms["aux"], 3)
    d = np.abs(b - centre)
    rough = 0.18 * p.width * fbm2(u / 120.0, v / 120.0, lf.perms["warp"], 5)
    # mesas: side canyons along the crest lines of ridged noise cut the plateau into blocks
    side = fbm2(u / (p.width * 5), v / (p.width * 5), lf.perms["a"], 4, ridged=True)
    walls = smoothstep(0.0, 1.0, np.clip((d + rough - 0.12 * p.width) / (0.38 * p.width), 0.0, 1.0))
    z01 = walls * (1.0 - 0.9 * p.mesas * smoothstep(0.55, 0.8, side))
    z = p.plateau_height * z01
    if p.strata > 0:
        z = terrace(z + 2.0 * fbm2(u / 300.0, v / 300.0, lf.perms["b"], 3), p.plateau_height / p.strata,
                    p.strata_sharpness)
    return z + lf._detail(x, y, 0.6, 8.0) + 3.0 * fbm2(u / 60.0, v / 60.0, lf.perms["c"], 4)
