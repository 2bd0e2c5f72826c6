"""A sand sea: wind-aligned dunes with gentle windward slopes, slip faces and ripples."""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field

from ...noise import fbm2
from .base import LandformModel, ViewHint, landform, smoothstep


class DuneParams(LandformModel):
    kind: Literal["dunes"] = Field("dunes", description="landform type (fixed by the scene)")
    dune_height: float = Field(28.0, ge=0.5, le=200.0, description="crest height of the dunes, m")
    wavelength: float = Field(160.0, ge=5.0, le=2000.0, description="crest spacing, m")
    wind_direction: float = Field(-1.0, ge=-1.0, le=360.0, description="wind heading, degrees (-1: drawn from the seed)")
    asymmetry: float = Field(0.75, ge=0.5, le=0.95, description="fraction of the period on the gentle windward side")
    crest_warp: float = Field(0.35, ge=0.0, le=2.0, description="how much crests wander (in wavelengths)")
    ripple_height: float = Field(0.04, ge=0.0, le=0.5, description="wind ripples on the sand, m")


def _setup(lf, rng) -> None:
    if lf.p.wind_direction >= 0:
        lf.angle = float(np.radians(lf.p.wind_direction))


def _view(lf) -> ViewHint:  # look across the crests
    return ViewHint(np.zeros(2), lf.angle + 0.5, yaw_spread=0.6)


@landform("dunes", DuneParams, setup=_setup, view_hint=_view, erodible=0.0)
def dunes(lf, x, y):
    p = lf.p
    a, b = lf._rot(x, y)  # a: along the wind, b: across
    u, v = lf._uv(x, y)
    lam = p.wavelength
    wander = p.crest_warp * lam * fbm2(b / (lam * 3.0), a / (lam * 6.0), lf.perms["warp"], 3)
    phase = (a + wander) / lam
    f = phase - np.floor(phase)
    s = p.asymmetry
    # windward: slow rise over fraction s; lee (slip face): fast fall
    prof = np.where(f < s, smoothstep(0.0, 1.0, f / s) ** 1.3, (1.0 - (f - s) / (1 - s)) ** 1.6)
    amp = 0.55 + 0.45 * fbm2(u / (lam * 4), v / (lam * 4), lf.perms["a"], 3) * 1.5
    amp = np.clip(amp, 0.15, 1.2)
    big = 0.4 * p.dune_height * fbm2(u / (lam * 12), v / (lam * 12), lf.perms["b"], 4)
    rip = p.ripple_height * np.sin((a + 0.3 * wander) * (2 * np.pi / 0.6) + 3.0 * fbm2(u / 3, v / 3, lf.perms["detail"], 2))
    return p.dune_height * amp * prof + big + rip
