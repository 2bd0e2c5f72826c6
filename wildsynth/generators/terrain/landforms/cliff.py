"""A cliff: a tall stratified rock wall rising from a plain."""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field

from ...noise import fbm2
from .base import LandformModel, ViewHint, landform, smoothstep, terrace


class CliffParams(LandformModel):
    kind: Literal["cliff"] = Field("cliff", description="landform type (fixed by the scene)")
    cliff_height: float = Field(90.0, ge=5.0, le=1000.0, description="height of the cliff face, m")
    steepness: float = Field(0.85, ge=0.2, le=1.0, description="1 = vertical wall")
    strata: int = Field(9, ge=0, le=40, description="rock layers (ledges) in the face")
    wander: float = Field(60.0, ge=0.0, le=1000.0, description="sideways wander of the cliff line, m")


def _view(lf) -> ViewHint:  # stand out on the plain and look at the wall
    side = np.array([-np.sin(lf.angle), np.cos(lf.angle)])
    line = lf.p.wander * fbm2(np.zeros(1), np.full(1, 0.7), lf.perms["aux"], 4)[0]
    return ViewHint(side * (line - 40.0), lf.angle + np.pi / 2, yaw_spread=0.35)


@landform("cliff", CliffParams, view_hint=_view)
def cliff(lf, x, y):
    p = lf.p
    a, b = lf._rot(x, y)
    u, v = lf._uv(x, y)
    line = p.wander * fbm2(a / 400.0, 0.7 + 0 * a, lf.perms["aux"], 4)
    s = b - line - 60.0  # the cliff foot runs 60 m from the origin
    run = p.cliff_height * (1.05 - p.steepness) * 0.8 + 1.0
    face = smoothstep(0.0, run, s + 4.0 * fbm2(u / 25.0, v / 25.0, lf.perms["warp"], 4))
    z = p.cliff_height * face
    if p.strata > 0:
        z = terrace(z, p.cliff_height / p.strata, 0.7) * (face > 0.02) + z * (face <= 0.02)
    top = 25.0 * fbm2(u / 500.0, v / 500.0, lf.perms["a"], 6) * face
    base = 6.0 * fbm2(u / 200.0, v / 200.0, lf.perms["b"], 5) - 0.02 * np.maximum(-s, 0.0)
    return z + top + base + lf._detail(x, y, 0.3)
