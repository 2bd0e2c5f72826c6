"""Landform height functions: z = f(x, y), analytic, evaluated anywhere.

Each landform has a typed parameter model and a class that turns (params,
seeds) into a height function plus what the scene needs to know about it:
water bodies (sea level, a river valley's axis, a frozen lake's level) and a
view hint (where a camera shows the landform at its best). Rivers and liquid
lakes are found on the eroded grid by ``field.py`` (drainage, basin filling). Erosion and meshing happen in
``field.py``; these functions hold only the shape.

Coordinates: world metres. Each seed samples the noise at a different region
(``origin``), so the same parameters give a different landscape per seed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Union

import numpy as np
from pydantic import BaseModel, ConfigDict, Field
from scipy import ndimage

from ...core.seeds import SeedTree
from ..noise import fbm2, perm_table


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
class ValleyAxis:
    """The analytic axis of a river valley along x' (rotated frame): centre y' = centre(x'), the
    valley floor falling along x'. The river itself is traced on the eroded grid by the terrain
    field (drainage), so it follows the terrain's own flow; this axis only shapes the valley."""

    angle: float  # rotation of the valley frame, radians
    meander: float
    wavelength: float
    gradient: float  # fall of the valley floor per metre along x'
    perm: np.ndarray
    offset: float

    def frame(self, x, y):
        c, s = np.cos(self.angle), np.sin(self.angle)
        return c * x + s * y, -s * x + c * y

    def centre(self, xr):
        return self.meander * fbm2(xr / self.wavelength + self.offset, 0.5 + 0 * xr, self.perm, 3)

    def point(self, xr):
        """World xy (N, 2) of the axis at x' = xr."""
        xr = np.asarray(xr, dtype=np.float64)
        yr = self.centre(xr)
        c, s = np.cos(self.angle), np.sin(self.angle)
        return np.stack([c * xr - s * yr, s * xr + c * yr], -1)

    def distance(self, x, y):
        xr, yr = self.frame(x, y)
        return np.abs(yr - self.centre(xr))

    def level(self, x, y):
        xr, _ = self.frame(x, y)
        return -self.gradient * xr


class River:
    """A river along a polyline course (upstream first): water level (non-increasing downstream),
    width and depth per course vertex. Queries project points on the course: distance, arc
    length, signed offset (left of the flow > 0), and the level / width / depth there.

    ``reach``: points farther than this from the course are not projected (distance = ``FAR``).
    """

    FAR = 1e9

    def __init__(self, course: np.ndarray, levels: np.ndarray, widths: np.ndarray, depths: np.ndarray,
                 reach: float = 150.0):
        from scipy.spatial import cKDTree

        self.course = np.ascontiguousarray(course, dtype=np.float64)
        self.levels = np.asarray(levels, dtype=np.float64)
        self.widths = np.asarray(widths, dtype=np.float64)
        self.depths = np.asarray(depths, dtype=np.float64)
        seg = np.diff(self.course, axis=0)
        self._seg = seg
        self._len = np.maximum(np.hypot(seg[:, 0], seg[:, 1]), 1e-12)
        self.s = np.concatenate([[0.0], np.cumsum(self._len)])
        self.reach = float(reach)
        self.width = float(self.widths.max())  # the widest point (for conservative bounds)
        self._tree = cKDTree(self.course)
        # a coarse raster of where the course is within reach: far points skip the tree query
        self._rc = max(self.reach / 2.0, float(self._len.max()))
        self._r0 = self.course.min(axis=0) - self.reach - 2 * self._rc
        shape = np.ceil((self.course.max(axis=0) + self.reach + 2 * self._rc - self._r0) / self._rc).astype(int) + 1
        hit = np.zeros(shape[::-1], dtype=bool)
        ij = ((self.course - self._r0) / self._rc).astype(int)
        hit[ij[:, 1], ij[:, 0]] = True
        self._near = ndimage.distance_transform_edt(~hit) <= self.reach / self._rc + 2.0

    def project(self, x, y) -> dict[str, np.ndarray]:
        x = np.asarray(x, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        shape = np.broadcast(x, y).shape
        q = np.stack([np.broadcast_to(x, shape).ravel(), np.broadcast_to(y, shape).ravel()], -1)
        n = len(q)
        d = np.full(n, self.FAR)
        off = np.full(n, self.FAR)
        s = np.zeros(n)
        ij = np.floor((q - self._r0) / self._rc).astype(np.int64)
        sh = self._near.shape
        cand = (ij[:, 0] >= 0) & (ij[:, 1] >= 0) & (ij[:, 0] < sh[1]) & (ij[:, 1] < sh[0])
        cand[cand] = self._near[ij[cand, 1], ij[cand, 0]]
        hit = np.zeros(n, dtype=bool)
        k = np.zeros(n, dtype=np.int64)
        if cand.any():
            dd, kc = self._tree.query(q[cand], distance_upper_bound=self.reach + self._len.max())
            hit[cand] = np.isfinite(dd)
            k[cand] = np.where(np.isfinite(dd), kc, 0)
        k = k[hit]
        if hit.any():
            qh, kh = q[hit], k
            best = np.full(len(qh), np.inf)
            bs, boff = np.zeros(len(qh)), np.zeros(len(qh))
            for seg in (np.maximum(kh - 1, 0), np.minimum(kh, len(self._len) - 1)):
                a, e, ln = self.course[seg], self._seg[seg], self._len[seg]
                rel = qh - a
                t = np.clip((rel[:, 0] * e[:, 0] + rel[:, 1] * e[:, 1]) / ln ** 2, 0.0, 1.0)
                px, py = rel[:, 0] - t * e[:, 0], rel[:, 1] - t * e[:, 1]
                dist = np.hypot(px, py)
                better = dist < best
                best = np.where(better, dist, best)
                bs = np.where(better, self.s[seg] + t * ln, bs)
                boff = np.where(better, np.sign(e[:, 0] * rel[:, 1] - e[:, 1] * rel[:, 0]) * dist, boff)
            d[hit], s[hit], off[hit] = best, bs, boff
        out = {"distance": d, "s": s, "offset": off, "level": np.interp(s, self.s, self.levels),
               "width": np.interp(s, self.s, self.widths), "depth": np.interp(s, self.s, self.depths)}
        return {key: v.reshape(shape) for key, v in out.items()}

    def distance(self, x, y):
        return self.project(x, y)["distance"]

    def level(self, x, y):
        return self.project(x, y)["level"]


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


class _LF(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MountainParams(_LF):
    kind: Literal["mountain"] = Field("mountain", description="landform type (fixed by the scene)")
    peak_height: float = Field(850.0, ge=10.0, le=6000.0, description="height of the highest ridges, m")
    scale: float = Field(2400.0, gt=50.0, le=20000.0, description="horizontal size of the ranges, m")
    roughness: float = Field(0.5, ge=0.3, le=0.7, description="fBm gain: larger = rougher, more small peaks")
    ridge_sharpness: float = Field(1.2, ge=0.5, le=4.0, description="exponent on the ridged noise: larger = sharper crests")
    warp: float = Field(0.45, ge=0.0, le=2.0, description="domain warp strength (twisted ridges)")
    octaves: int = Field(12, ge=1, le=16, description="noise octaves")
    valley_floor: float = Field(0.15, ge=0.0, le=0.6, description="fraction of the height filled by valley floor")


class PlainsParams(_LF):
    kind: Literal["plains"] = Field("plains", description="landform type (fixed by the scene)")
    hills_height: float = Field(18.0, ge=0.0, le=300.0, description="amplitude of rolling hills, m")
    hills_scale: float = Field(400.0, gt=10.0, le=10000.0, description="horizontal size of the hills, m")
    far_mountains: float = Field(500.0, ge=0.0, le=5000.0, description="height of mountains on the horizon, m")


class DuneParams(_LF):
    kind: Literal["dunes"] = Field("dunes", description="landform type (fixed by the scene)")
    dune_height: float = Field(28.0, ge=0.5, le=200.0, description="crest height of the dunes, m")
    wavelength: float = Field(160.0, ge=5.0, le=2000.0, description="crest spacing, m")
    wind_direction: float = Field(-1.0, ge=-1.0, le=360.0, description="wind heading, degrees (-1: drawn from the seed)")
    asymmetry: float = Field(0.75, ge=0.5, le=0.95, description="fraction of the period on the gentle windward side")
    crest_warp: float = Field(0.35, ge=0.0, le=2.0, description="how much crests wander (in wavelengths)")
    ripple_height: float = Field(0.04, ge=0.0, le=0.5, description="wind ripples on the sand, m")


class CanyonParams(_LF):
    kind: Literal["canyon"] = Field("canyon", description="landform type (fixed by the scene)")
    plateau_height: float = Field(160.0, ge=10.0, le=2000.0, description="depth of the canyon below the plateau, m")
    width: float = Field(260.0, ge=20.0, le=5000.0, description="rim-to-rim width of the canyon, m")
    meander: float = Field(350.0, ge=0.0, le=5000.0, description="sideways wander of the canyon, m")
    strata: int = Field(7, ge=0, le=40, description="number of rock layers (terraces) in the walls")
    strata_sharpness: float = Field(0.6, ge=0.0, le=1.0, description="how steep the terrace risers are")
    mesas: float = Field(0.5, ge=0.0, le=1.0, description="how much of the plateau is cut into mesas and buttes")


class CliffParams(_LF):
    kind: Literal["cliff"] = Field("cliff", description="landform type (fixed by the scene)")
    cliff_height: float = Field(90.0, ge=5.0, le=1000.0, description="height of the cliff face, m")
    steepness: float = Field(0.85, ge=0.2, le=1.0, description="1 = vertical wall")
    strata: int = Field(9, ge=0, le=40, description="rock layers (ledges) in the face")
    wander: float = Field(60.0, ge=0.0, le=1000.0, description="sideways wander of the cliff line, m")


class CoastParams(_LF):
    kind: Literal["coast"] = Field("coast", description="landform type (fixed by the scene)")
    land_height: float = Field(60.0, ge=2.0, le=1000.0, description="height of the hinterland, m")
    beach_width: float = Field(45.0, ge=0.0, le=500.0, description="width of the sandy beach, m")
    sea_cliffs: float = Field(0.0, ge=0.0, le=300.0, description="height of cliffs at the shore (0: none), m")
    shore_wander: float = Field(150.0, ge=0.0, le=3000.0, description="bays and headlands, m")
    sea_depth: float = Field(40.0, ge=1.0, le=2000.0, description="depth of the sea floor offshore, m")


class RiverParams(_LF):
    kind: Literal["river"] = Field("river", description="landform type (fixed by the scene)")
    width: float = Field(16.0, ge=2.0, le=500.0, description="channel width where the camera looks, m "
                                                             "(grows downstream with the drained area)")
    depth: float = Field(2.5, ge=0.3, le=50.0, description="depth of the channel where the camera looks, m")
    meander: float = Field(120.0, ge=0.0, le=3000.0, description="sideways wander of the valley, m")
    valley_width: float = Field(140.0, ge=10.0, le=5000.0, description="width of the flat valley floor, m")
    hills_height: float = Field(70.0, ge=0.0, le=2000.0, description="height of the valley sides, m")
    gradient: float = Field(0.003, ge=0.0, le=0.05, description="fall of the valley floor per metre")


class ArcticParams(_LF):
    kind: Literal["arctic"] = Field("arctic", description="landform type (fixed by the scene)")
    peak_height: float = Field(420.0, ge=10.0, le=4000.0, description="height of the snowy mountains, m")
    scale: float = Field(1300.0, gt=50.0, le=20000.0, description="horizontal size of the mountains, m")
    lake_radius: float = Field(260.0, ge=0.0, le=5000.0, description="radius of the frozen lake basin, m")


class LakeParams(_LF):
    kind: Literal["lake"] = Field("lake", description="landform type (fixed by the scene)")
    peak_height: float = Field(320.0, ge=0.0, le=4000.0, description="height of the mountains around the basin, m")
    scale: float = Field(1400.0, gt=50.0, le=20000.0, description="horizontal size of the mountains, m")
    basin_radius: float = Field(380.0, ge=50.0, le=5000.0, description="radius of the lake basin, m")
    basin_depth: float = Field(22.0, ge=1.0, le=500.0, description="depth of the basin floor below its rim foot, m")
    shore_wander: float = Field(0.35, ge=0.0, le=1.0, description="bays and points of the basin (fraction of the radius)")


LandformParams = Union[MountainParams, PlainsParams, DuneParams, CanyonParams, CliffParams, CoastParams,
                       RiverParams, ArcticParams, LakeParams]


class Landform:
    """Height function plus water and view hints for one landform parameter set."""

    def __init__(self, params: LandformParams, seeds: SeedTree):
        self.p = params
        self.kind = params.kind
        self.perms = {k: perm_table(seeds.child(k).rng()) for k in ("a", "b", "c", "warp", "detail", "aux")}
        rng = seeds.child("draws").rng()
        self.origin = rng.uniform(-2e4, 2e4, 2)
        self.angle = float(rng.uniform(0, 2 * np.pi))
        self.water = WaterInfo()
        self.erodible = 1.0  # multiplier on erosion strength (sand barely gullies)
        if params.kind == "dunes":
            self.erodible = 0.0
            if params.wind_direction >= 0:
                self.angle = float(np.radians(params.wind_direction))
        if params.kind == "coast":
            self.water.sea_level = 0.0
        if params.kind == "river":
            self.water.valley = ValleyAxis(self.angle, params.meander, params.meander * 6 + 400.0,
                                           params.gradient, self.perms["aux"], float(rng.uniform(-50, 50)))
        if params.kind == "arctic":
            self.water.lake_level = 0.0

    # -- helpers -------------------------------------------------------------
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

    # -- the height ----------------------------------------------------------
    def height(self, x, y) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        return getattr(self, "_h_" + self.kind)(x, y)

    def _h_mountain(self, x, y):
        p = self.p
        r = self._ridges(x, y, p.scale, p.warp, p.octaves, p.roughness, p.ridge_sharpness, self.perms["a"])
        floor = p.valley_floor
        shaped = (np.maximum(r - floor, 0.0) + floor * smoothstep(0.0, floor + 1e-6, r) * 0.3) / (1 - 0.7 * floor)
        u, v = self._uv(x, y)
        broad = 0.5 + 0.5 * fbm2(u / (p.scale * 3), v / (p.scale * 3), self.perms["b"], 3)
        return p.peak_height * shaped * (0.5 + broad) + self._detail(x, y, 0.3)

    def _h_plains(self, x, y):
        p = self.p
        u, v = self._uv(x, y)
        hills = p.hills_height * fbm2(u / p.hills_scale, v / p.hills_scale, self.perms["a"], 6)
        far = smoothstep(1500.0, 5000.0, np.hypot(x, y))
        mnt = p.far_mountains * far * fbm2(u / 2500.0, v / 2500.0, self.perms["b"], 10, ridged=True)
        return hills + mnt + self._detail(x, y, 0.15)

    def _h_dunes(self, x, y):
        p = self.p
        a, b = self._rot(x, y)  # a: along the wind, b: across
        u, v = self._uv(x, y)
        lam = p.wavelength
        wander = p.crest_warp * lam * fbm2(b / (lam * 3.0), a / (lam * 6.0), self.perms["warp"], 3)
        phase = (a + wander) / lam
        f = phase - np.floor(phase)
        s = p.asymmetry
        # windward: slow rise over fraction s; lee (slip face): fast fall
        prof = np.where(f < s, smoothstep(0.0, 1.0, f / s) ** 1.3, (1.0 - (f - s) / (1 - s)) ** 1.6)
        amp = 0.55 + 0.45 * fbm2(u / (lam * 4), v / (lam * 4), self.perms["a"], 3) * 1.5
        amp = np.clip(amp, 0.15, 1.2)
        big = 0.4 * p.dune_height * fbm2(u / (lam * 12), v / (lam * 12), self.perms["b"], 4)
        rip = p.ripple_height * np.sin((a + 0.3 * wander) * (2 * np.pi / 0.6) + 3.0 * fbm2(u / 3, v / 3, self.perms["detail"], 2))
        return p.dune_height * amp * prof + big + rip

    def _h_canyon(self, x, y):
        p = self.p
        a, b = self._rot(x, y)
        u, v = self._uv(x, y)
        centre = p.meander * fbm2(a / (p.width * 8.0), 0.3 + 0 * a, self.perms["aux"], 3)
        d = np.abs(b - centre)
        rough = 0.18 * p.width * fbm2(u / 120.0, v / 120.0, self.perms["warp"], 5)
        # mesas: side canyons along the crest lines of ridged noise cut the plateau into blocks
        side = fbm2(u / (p.width * 5), v / (p.width * 5), self.perms["a"], 4, ridged=True)
        walls = smoothstep(0.0, 1.0, np.clip((d + rough - 0.12 * p.width) / (0.38 * p.width), 0.0, 1.0))
        z01 = walls * (1.0 - 0.9 * p.mesas * smoothstep(0.55, 0.8, side))
        z = p.plateau_height * z01
        if p.strata > 0:
            z = terrace(z + 2.0 * fbm2(u / 300.0, v / 300.0, self.perms["b"], 3), p.plateau_height / p.strata,
                        p.strata_sharpness)
        return z + self._detail(x, y, 0.6, 8.0) + 3.0 * fbm2(u / 60.0, v / 60.0, self.perms["c"], 4)

    def _h_cliff(self, x, y):
        p = self.p
        a, b = self._rot(x, y)
        u, v = self._uv(x, y)
        line = p.wander * fbm2(a / 400.0, 0.7 + 0 * a, self.perms["aux"], 4)
        s = b - line - 60.0  # the cliff foot runs 60 m from the origin
        run = p.cliff_height * (1.05 - p.steepness) * 0.8 + 1.0
        face = smoothstep(0.0, run, s + 4.0 * fbm2(u / 25.0, v / 25.0, self.perms["warp"], 4))
        z = p.cliff_height * face
        if p.strata > 0:
            z = terrace(z, p.cliff_height / p.strata, 0.7) * (face > 0.02) + z * (face <= 0.02)
        top = 25.0 * fbm2(u / 500.0, v / 500.0, self.perms["a"], 6) * face
        base = 6.0 * fbm2(u / 200.0, v / 200.0, self.perms["b"], 5) - 0.02 * np.maximum(-s, 0.0)
        return z + top + base + self._detail(x, y, 0.3)

    def _h_coast(self, x, y):
        p = self.p
        a, b = self._rot(x, y)
        u, v = self._uv(x, y)
        shore = p.shore_wander * fbm2(a / 900.0, 0.2 + 0 * a, self.perms["aux"], 4)
        s = b - shore  # > 0 on land
        beach = np.clip(s / max(p.beach_width, 1.0), -1.0, 1.0) * 1.8  # gentle sandy slope through z = 0
        sea = -p.sea_depth * (1.0 - np.exp(np.minimum(s, 0.0) / 250.0))
        inland = smoothstep(p.beach_width, p.beach_width + 300.0, s)
        hills = p.land_height * inland * (0.6 + 0.4 * fbm2(u / 600.0, v / 600.0, self.perms["a"], 7))
        cliff = p.sea_cliffs * smoothstep(2.0, 10.0, s) * (0.7 + 0.3 * fbm2(u / 150.0, v / 150.0, self.perms["b"], 3))
        return np.where(s > 0, beach + hills + cliff, beach * 0.5 + sea) + self._detail(x, y, 0.08)

    def _h_river(self, x, y):
        """The valley only: a floor tilted gently towards the meandering axis and falling along it,
        hills on both sides. The river is traced on the eroded grid and carves its own bed
        (``TerrainField``)."""
        p = self.p
        r = self.water.valley
        u, v = self._uv(x, y)
        d = r.distance(x, y)
        level = r.level(x, y)
        sides = p.hills_height * smoothstep(p.valley_width * 0.5, p.valley_width * 2.5, d) * \
            (0.6 + 0.5 * fbm2(u / 500.0, v / 500.0, self.perms["a"], 7))
        floor = 1.0 + 0.8 * fbm2(u / 60.0, v / 60.0, self.perms["b"], 4) + 2.0 * smoothstep(0.0, p.valley_width, d)
        return level + floor + sides + self._detail(x, y, 0.08)

    def lake_centre(self) -> np.ndarray:
        """Centre of the lake landform's basin (it lies ahead of the origin along ``angle``)."""
        return self.p.basin_radius * 1.1 * np.array([np.cos(self.angle), np.sin(self.angle)])

    def _h_lake(self, x, y):
        """A basin ringed by mountains, the land outside the ring falling away to rolling hills.
        The lake's level and shore are not set here: the terrain field fills the eroded basin to
        its spill level (the lowest pass of the ring)."""
        p = self.p
        u, v = self._uv(x, y)
        c = self.lake_centre()
        R = p.basin_radius
        dist = np.hypot(x - c[0], y - c[1])
        dist = dist * (1.0 + p.shore_wander * fbm2(u / (0.9 * R), v / (0.9 * R), self.perms["warp"], 3))
        rr = self._ridges(x, y, p.scale, 0.5, 11, 0.5, 1.2, self.perms["a"])
        ring = smoothstep(0.5 * R, 1.8 * R, dist) * (1.0 - smoothstep(2.6 * R, 6.0 * R, dist))
        floor = -p.basin_depth * (1.0 - smoothstep(0.0, 1.1 * R, dist))
        outside = -0.02 * np.maximum(dist - 2.6 * R, 0.0)  # beyond the ring the land drains away
        gentle = 5.0 * fbm2(u / 180.0, v / 180.0, self.perms["b"], 5)
        return floor + ring * (p.peak_height * rr + 15.0) + outside + gentle + self._detail(x, y, 0.1)

    def _h_arctic(self, x, y):
        p = self.p
        rr = self._ridges(x, y, p.scale, 0.4, 11, 0.5, 1.3, self.perms["a"])
        dist = np.hypot(x - 0.0, y - p.lake_radius * 0.9)  # the lake lies ahead of the origin
        bowl = smoothstep(p.lake_radius * 0.6, p.lake_radius * 2.2, dist)
        u, v = self._uv(x, y)
        gentle = 6.0 * fbm2(u / 150.0, v / 150.0, self.perms["b"], 5)
        return -3.0 + (p.peak_height * rr + gentle + 4.0) * bowl + 2.0 * bowl + self._detail(x, y, 0.1)

    # -- where a camera shows it best ----------------------------------------
    def view_hint(self) -> ViewHint:
        p, k = self.p, self.kind
        side = np.array([-np.sin(self.angle), np.cos(self.angle)])
        yaw = self.angle
        if k == "mountain":
            return ViewHint(np.zeros(2), yaw, yaw_spread=np.pi)
        if k == "plains":
            return ViewHint(np.zeros(2), yaw, yaw_spread=np.pi)
        if k == "dunes":  # look across the crests
            return ViewHint(np.zeros(2), yaw + 0.5, yaw_spread=0.6)
        if k == "canyon":  # stand near the rim and look into and along the canyon
            centre = p.meander * fbm2(np.zeros(1) / (p.width * 8.0), np.full(1, 0.3), self.perms["aux"], 3)[0]
            eye = side * (centre + 0.72 * p.width)
            return ViewHint(eye, yaw - np.pi / 2 + 0.7, yaw_spread=0.3)
        if k == "cliff":  # stand out on the plain and look at the wall
            line = p.wander * fbm2(np.zeros(1), np.full(1, 0.7), self.perms["aux"], 4)[0]
            return ViewHint(side * (line - 40.0), yaw + np.pi / 2, yaw_spread=0.35)
        if k == "coast":  # on the beach, looking along the shore and out to sea
            shore = p.shore_wander * fbm2(np.zeros(1), np.full(1, 0.2), self.perms["aux"], 4)[0]
            return ViewHint(side * (shore + p.beach_width * 0.5), yaw - np.pi / 2 + 0.8, yaw_spread=0.4)
        if k == "river":  # on the valley floor, looking along the valley (the field refines it on the river)
            c = self.water.valley.centre(np.zeros(1))[0]
            eye = side * (c + p.width * 1.0)
            return ViewHint(eye, yaw - 0.45, yaw_spread=0.25)
        if k == "lake":  # on the near shore, looking across the basin (the field refines it on the lake)
            c = self.lake_centre()
            return ViewHint(c * (1.0 - 0.9 * p.basin_radius / np.linalg.norm(c)), yaw, yaw_spread=0.3)
        if k == "arctic":  # at the lake shore, looking over the ice to the mountains
            return ViewHint(np.array([0.0, p.lake_radius * 0.15]), np.pi / 2, yaw_spread=0.6)
        raise ValueError(k)
