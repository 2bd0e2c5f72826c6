"""Mountain ranges: domain-warped ridged noise over broad uplift, valley floors filled."""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field

from ...noise import fbm2
from .base import LandformModel, landform, smoothstep


class MountainParams(LandformModel):
    kind: Literal["mountain"] = Field("mountain", description="landform type (fixed by the scene)")
    peak_height: float = Field(850.0, ge=10.0, le=6000.0, description="height of the highest ridges, m")
    scale: float = Field(2400.0, gt=50.0, le=20000.0, description="horizontal size of the ranges, m")
    roughness: float = Field(0.5, ge=0.3, le=0.7, description="fBm gain: larger = rougher, more small peaks")
    ridge_sharpness: float = Field(1.2, ge=0.5, le=4.0, description="exponent on the ridged noise: larger = sharper crests")
    warp: float = Field(0.45, ge=0.0, le=2.0, description="domain warp strength (twisted ridges)")
    octaves: int = Field(12, ge=1, le=16, description="noise octaves")
    valley_floor: float = Field(0.15, ge=0.0, le=0.6, description="fraction of the height filled by valley floor")


@landform("mountain", MountainParams)
def mountain(lf, x, y):
    p = lf.p
    r = lf._ridges(x, y, p.scale, p.warp, p.octaves, p.roughness, p.ridge_sharpness, lf.perms["a"])
    floor = p.valley_floor
    shaped = (np.maximum(r - floor, 0.0) + floor * smoothstep(0.0, floor + 1e-6, r) * 0.3) / (1 - 0.7 * floor)
    u, v = lf._uv(x, y)
    broad = 0.5 + 0.5 * fbm2(u / (p.scale * 3), v / (p.scale * 3), lf.perms["b"], 3)
    return p.peak_height * shaped * (0.5 + broad) + lf._detail(x, y, 0.3)
