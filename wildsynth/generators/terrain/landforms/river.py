"""A river valley: a floor tilted gently towards a meandering axis and falling along it, hills on
both sides. The river itself is traced on the eroded grid and carves its own bed (``TerrainField``)."""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field

from ...noise import fbm2
from .base import LandformModel, ViewHint, landform, smoothstep
from .rivers import ValleyAxis


class RiverParams(LandformModel):
    kind: Literal["river"] = Field("river", description="landform type (fixed by the scene)")
    width: float = Field(16.0, ge=2.0, le=500.0, description="channel width where the camera looks, m "
                                                             "(grows downstream with the drained area)")
    depth: float = Field(2.5, ge=0.3, le=50.0, description="depth of the channel where the camera looks, m")
    meander: float = Field(120.0, ge=0.0, le=3000.0, description="sideways wander of the valley, m")
    valley_width: float = Field(140.0, ge=10.0, le=5000.0, description="width of the flat valley floor, m")
    hills_height: float = Field(70.0, ge=0.0, le=2000.0, description="height of the valley sides, m")
    gradient: float = Field(0.003, ge=0.0, le=0.05, description="fall of the valley floor per metre")


def _setup(lf, rng) -> None:
    p = lf.p
    lf.water.valley = ValleyAxis(lf.angle, p.meander, p.meander * 6 + 400.0, p.gradient, lf.perms["aux"],
                                 float(rng.uniform(-50, 50)))


def _view(lf) -> ViewHint:  # on the valley floor, looking along the valley (the field refines it on the river)
    side = np.array([-np.sin(lf.angle), np.cos(lf.angle)])
    c = lf.water.valley.centre(np.zeros(1))[0]
    return ViewHint(side * (c + lf.p.width * 1.0), lf.angle - 0.45, yaw_spread=0.25)


@landform("river", RiverParams, setup=_setup, view_hint=_view)
def river(lf, x, y):
    p = lf.p
    r = lf.water.valley
    u, v = lf._uv(x, y)
    d = r.distance(x, y)
    level = r.level(x, y)
    sides = p.hills_height * smoothstep(p.valley_width * 0.5, p.valley_width * 2.5, d) * \
        (0.6 + 0.5 * fbm2(u / 500.0, v / 500.0, lf.perms["a"], 7))
    floor = 1.0 + 0.8 * fbm2(u / 60.0, v / 60.0, lf.perms["b"], 4) + 2.0 * smoothstep(0.0, p.valley_width, d)
    return level + floor + sides + lf._detail(x, y, 0.08)
