"""The landform registry and the ``Landform`` that evaluates a registered shape.

A landform is one file in this package: a parameter model (with a ``kind``
literal equal to its name) and a height function registered with
``@landform(name, Params, ...)``. ``Landform(params, seeds)`` draws what every
shape shares (noise tables, the seed's ``origin`` and ``angle``), lets the
shape's ``setup`` add water or change the angle, and evaluates the shape's
height anywhere; ``view_hint`` says where a camera shows it best.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from pydantic import BaseModel, ConfigDict

from ....core.seeds import SeedTree
from ...noise import fbm2, perm_table
from .rivers import River, ValleyAxis


def smoothstep(e0, e1, x):
    t = np.clip((x - e0) / (e1 - e0), 0.0, 1.0)
    return t * t * (3.0 - 2.0 * t)


def terrace(z, step, sharpness):
    """Strata: heights snapped towards multiples of ``step`` with steep risers (sharpness 0..1)."""
    k = np.floor(z / step)
    f = z / step - k
    s = 1.0 + 30.0 * sharpness
    g = np.clip((f - 0.5) * s + 0.5, 0.0, 1.0)
    return (k + g * g * (3 - 2 * g)) * step


@dataclass
class WaterInfo:
    sea_level: float | None = None  # an ocean at this height, if any
    lake_level: float | None = None  # a flat lake (or frozen lake) at this height, if any
    river: River | None = None  # traced on the eroded grid by the terrain field
    valley: ValleyAxis | None = None  # a landform's river valley: the field traces a river along it


@dataclass
class ViewHint:
    """Where to look from: the centre of the camera proposals (xy) and the heading (radians).
    Heights above ground, pitch and spread come from the scene's camera parameters."""

    eye: np.ndarray
    yaw: float
    yaw_spread: float = 0.5  # radians of jitter around the yaw


class LandformModel(BaseModel):
    """Base of every landform's parameter model; ``kind`` names the registered shape."""

    model_config = ConfigDict(extra="forbid")


HeightFn = Callable[["Landform", np.ndarray, np.ndarray], np.ndarray]


def _view_anywhere(lf: Landform) -> ViewHint:
    return ViewHint(np.zeros(2), lf.angle, yaw_spread=np.pi)


@dataclass(frozen=True)
class LandformKind:
    """One registered landform: its parameters, height, and optional hooks.

    ``setup(lf, rng)`` runs after the shared draws (water bodies, a fixed angle);
    ``view_hint(lf)`` defaults to the origin, any heading; ``basin_centre(lf)`` is the
    centre of a landform's lake basin (for the terrain field's lake view)."""

    name: str
    params: type[LandformModel]
    height: HeightFn
    view_hint: Callable[[Landform], ViewHint] = _view_anywhere
    setup: Callable[[Landform, np.random.Generator], None] | None = None
    erodible: float = 1.0  # multiplier on erosion strength (sand barely gullies)
    basin_centre: Callable[[Landform], np.ndarray] | None = None


LANDFORMS: dict[str, LandformKind] = {}


def landform(name: str, params: type[LandformModel], *, view_hint: Callable | None = None,
             setup: Callable | None = None, erodible: float = 1.0,
             basin_centre: Callable | None = None) -> Callable[[HeightFn], HeightFn]:
    """Register the decorated height function ``(lf, x, y) -> z`` as landform ``name``."""

    def deco(height: HeightFn) -> HeightFn:
        kind = params.model_fields.get("kind")
        if kind is None or kind.default != name:
            raise ValueError(f"landform {name!r}: {params.__name__}.kind must default to {name!r}")
        if name in LANDFORMS:
            raise ValueError(f"landform {name!r} registered twice")
        LANDFORMS[name] = LandformKind(name, params, height, view_hint or _view_anywhere, setup, erodible,
                                       basin_centre)
        return height

    return deco


def get_landform(name: str) -> LandformKind:
    try:
        return LANDFORMS[name]
    except KeyError:
        raise ValueError(f"landform {name!r} unknown; choose one of {', '.join(sorted(LANDFORMS))}") from None


class Landform:
    """Height function plus water and view hints for one landform parameter set."""

    def __init__(self, params: LandformModel, seeds: SeedTree):
        self.p = params
        self.kind = params.kind
        self.spec = get_landform(self.kind)
        self.perms = {k: perm_table(seeds.child(k).rng()) for k in ("a", "b", "c", "warp", "detail", "aux")}
        rng = seeds.child("draws").rng()
        self.origin = rng.uniform(-2e4, 2e4, 2)
        self.angle = float(rng.uniform(0, 2 * np.pi))
        self.water = WaterInfo()
        self.erodible = self.spec.erodible
        if self.spec.setup is not None:
            self.spec.setup(self, rng)

    # -- helpers shared by the shapes -----------------------------------------
    def _uv(self, x, y):
        return np.asarray(x, np.float64) + self.origin[0], np.asarray(y, np.float64) + self.origin[1]

    def _rot(self, x, y):
        c, s = np.cos(self.angle), np.sin(self.angle)
        return c * x + s * y, -s * x + c * y

    def _ridges(self, x, y, scale, warp, octaves, gain, sharp, perm):
        u, v = self._uv(x, y)
        wx = fbm2(u / scale * 0.6, v / scale * 0.6, self.perms["warp"], 4) * warp * scale
        wy = fbm2(v / scale * 0.6 + 3.1, u / scale * 0.6 - 1.7, self.perms["warp"], 4) * warp * scale
        r = fbm2((u + wx) / scale, (v + wy) / scale, perm, octaves, gain=gain, ridged=True)
        return np.clip(r, 0.0, 1.0) ** sharp

    def _detail(self, x, y, amp, scale=5.0):
        u, v = self._uv(x, y)
        return amp * fbm2(u / scale, v / scale, self.perms["detail"], 4)

    # -- the registered shape ---------------------------------------------------
    def height(self, x, y) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        return self.spec.height(self, x, y)

    def view_hint(self) -> ViewHint:
        return self.spec.view_hint(self)

    def lake_centre(self) -> np.ndarray:
        """Centre of the landform's lake basin (landforms registered with ``basin_centre``)."""
        if self.spec.basin_centre is None:
            raise ValueError(f"landform {self.kind!r} has no lake basin")
        return self.spec.basin_centre(self)
