"""Rolling hills, with mountains rising only far out on the horizon."""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field

from ...noise import fbm2
from .base import LandformModel, landform, smoothstep


class HillsParams(LandformModel):
    kind: Literal["hills"] = Field("hills", description="landform type (fixed by the scene)")
    hills_height: float = Field(18.0, ge=0.0, le=300.0, description="amplitude of rolling hills, m")
    hills_scale: float = Field(400.0, gt=10.0, le=10000.0, description="horizontal size of the hills, m")
    far_mountains: float = Field(500.0, ge=0.0, le=5000.0, description="height of mountains on the horizon, m")




@landform("hills", HillsParams)
def hills(lf, x, y):
    p = lf.p
    u, v = lf._uv(x, y)
    rolling = p.hills_height * fbm2(u / p.hills_scale, v / p.hills_scale, lf.perms["a"], 6)
    far = smoothstep(1500.0, 5000.0, np.hypot(x, y))
    mnt = p.far_mountains * far * fbm2(u / 2500.0, v / 2500.0, lf.perms["b"], 10, ridged=True)
    return rolling + mnt + lf._detail(x, y, 0.15)
