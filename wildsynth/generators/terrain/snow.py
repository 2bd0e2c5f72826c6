"""Snow that lies where snow lies: by slope, hollows, wind exposure and altitude, in numpy.

Snow depth (metres, measured vertically) is a product of terms, each from the
height field alone:

    depth = D * altitude(z) * max(0, 1 + c_h * hollow + c_e * shelter + c_w * lee) * drift * slide(slope)

- ``slide``: snow sheds from faces steeper than its angle of repose. 1 below
  ``repose_angle - repose_soft``, falling smoothly to exactly 0 at
  ``repose_angle`` and above (dry snow rests up to about 35-45 degrees;
  McClung & Schaerer, The Avalanche Handbook).
- ``hollow``: concavity at the scale ``hollow_scale`` (Gaussian mean of the
  surroundings minus the point, over a tenth of the scale, squashed by tanh
  into [-1, 1]): +1 in gullies and bowls, where snow collects, -1 on convex
  ribs and crests, where it is scoured.
- ``shelter``: the same at the larger ``exposure_scale``: summits and ridges
  standing above their surroundings lose snow to the wind, basins gain.
- ``lee``: wind redistribution. Faces turned towards the wind (the ground
  rises downwind) are scoured, lee faces (falling downwind) are loaded:
  ``-tanh(grad z . w / 0.3)`` for the unit wind direction ``w``.
- ``altitude``: none below ``snowline``, full over ``snowline_band`` above it,
  plus ``altitude_gain`` more per 1000 m (more snowfall up high).
- ``drift``: metre-scale variation (fractal noise of relative amplitude
  ``drift``), drifts and scours the terms above do not resolve.

``snow_depth`` evaluates this on a grid (a synthetic field, in tests). A scene
uses ``SnowCover``: the slope-free part is computed once on the terrain's eroded
grid (its hollows and ridges), ``slide`` and ``drift`` at each point from the
bare ground's own normal, so a steep rock face finer than the grid is bare too.
The snowy surface is the ground raised by the depth (``height``): that is what
the terrain mesh, the plants, the rocks and the camera stand on. ``cover`` (0..1,
full from ``cover_depth`` metres) is the per-vertex attribute ``snow`` that the
terrain material mixes snow by (soft, noisy edge) and the semantic split reads.
"""

from __future__ import annotations

from typing import Optional

import numpy as np
from pydantic import BaseModel, ConfigDict, Field
from scipy import ndimage

from ...core.geometry import height_normal, vertex_normals
from ...core.mesh import Mesh
from ...core.seeds import SeedTree
from ..noise import fbm2, perm_table
from .landforms import smoothstep

# m: the slide reads the bare ground's slope over this step (snow bridges roughness finer than about its own
# depth, so a rough but gentle slope keeps its snow); the same for mesh vertices and any other point
NORMAL_STEP = 2.0


class SnowParams(BaseModel):
    """Snow accumulation on a terrain: depth by slope, hollows, wind exposure and altitude."""

    model_config = ConfigDict(extra="forbid")

    depth: float = Field(1.2, ge=0.0, le=20.0, description="snow depth on open level ground at the snow line band's top, m")
    max_depth: float = Field(6.0, ge=0.0, le=50.0, description="deepest snow anywhere (drifts in gullies), m")
    repose_angle: float = Field(45.0, ge=5.0, le=80.0, description="angle of repose: no snow on slopes at least this steep, degrees")
    repose_soft: float = Field(12.0, ge=0.5, le=40.0, description="snow thins over this many degrees below the angle of repose")
    hollow_gain: float = Field(0.8, ge=0.0, le=5.0, description="relative extra depth in hollows (and loss on convex ribs)")
    hollow_scale: float = Field(40.0, gt=0.0, le=2000.0, description="size of the hollows and ribs that collect or shed snow, m")
    exposure_gain: float = Field(0.5, ge=0.0, le=5.0, description="relative loss on exposed summits and ridges (gain in basins)")
    exposure_scale: float = Field(250.0, gt=0.0, le=5000.0, description="size of the ridges and basins of the exposure term, m")
    wind_gain: float = Field(0.4, ge=0.0, le=5.0, description="relative loading of lee faces (and scouring of windward faces)")
    wind_heading: Optional[float] = Field(None, ge=0.0, le=360.0, description="direction the wind blows towards, degrees counter-clockwise from +X (None: drawn)")
    snowline: float = Field(-1000.0, ge=-2000.0, le=10000.0, description="altitude below which there is no snow, m")
    snowline_band: float = Field(60.0, gt=0.0, le=2000.0, description="snow deepens to its full depth over this height above the snow line, m")
    altitude_gain: float = Field(0.3, ge=0.0, le=5.0, description="relative extra depth per 1000 m above the snow line")
    drift: float = Field(0.35, ge=0.0, le=1.0, description="relative amplitude of metre-scale drifts and scours")
    drift_scale: float = Field(18.0, gt=0.1, le=1000.0, description="size of the drifts, m")
    cover_depth: float = Field(0.12, gt=0.0, le=5.0, description="depth at which snow hides the ground completely, m")


def slide(slope_deg, params: SnowParams) -> np.ndarray:
    """Share of the snow that stays on a slope (degrees): 1 below repose - soft, exactly 0 at repose and above."""
    lo = params.repose_angle - params.repose_soft
    return 1.0 - smoothstep(lo, params.repose_angle, np.asarray(slope_deg, dtype=np.float64))


def slope_degrees(nz) -> np.ndarray:
    """Slope angle (degrees) from the z component of unit normals."""
    return np.degrees(np.arccos(np.clip(np.asarray(nz, dtype=np.float64), -1.0, 1.0)))


def altitude_factor(z, params: SnowParams) -> np.ndarray:
    z = np.asarray(z, dtype=np.float64)
    above = np.maximum(z - params.snowline, 0.0)
    return smoothstep(params.snowline, params.snowline + params.snowline_band, z) * \
        (1.0 + params.altitude_gain * above / 1000.0)


def _concavity(z: np.ndarray, cell: float, scale: float) -> np.ndarray:
    """+1 in hollows, -1 on crests at ``scale`` m: tanh((mean of the surroundings - z) / (scale / 10))."""
    sigma = max(scale / cell, 0.5)
    # padded by odd reflection (2 z_edge - z_mirror): a plane stays a plane, so a grid's border reads as
    # neither a hollow nor a crest
    w = int(np.ceil(4.0 * sigma)) + 1
    padded = np.pad(z, w, mode="reflect", reflect_type="odd")
    # in the Fourier domain: one cost for any scale (the wrap-around lies 4 sigma beyond the grid)
    spec = ndimage.fourier_gaussian(np.fft.rfft2(padded), sigma, n=padded.shape[1])
    mean = np.fft.irfft2(spec, s=padded.shape)[w:-w, w:-w]
    return np.tanh((mean - z) / (0.1 * scale))


def wind_direction(params: SnowParams, rng: np.random.Generator) -> np.ndarray:
    """Unit (x, y) direction the wind blows towards (drawn once from ``rng``, used if not set)."""
    drawn = float(rng.uniform(0.0, 360.0))
    a = np.radians(params.wind_heading if params.wind_heading is not None else drawn)
    return np.array([np.cos(a), np.sin(a)])


def redistribution(z: np.ndarray, cell: float, params: SnowParams, wind: np.ndarray) -> np.ndarray:
    """The relative redistribution factor max(0, 1 + hollows + shelter + lee) on a grid (rows: y)."""
    gy, gx = np.gradient(z, cell)
    hollow = _concavity(z, cell, params.hollow_scale)
    shelter = _concavity(z, cell, params.exposure_scale)
    lee = -np.tanh((gx * wind[0] + gy * wind[1]) / 0.3)
    return np.maximum(1.0 + params.hollow_gain * hollow + params.exposure_gain * shelter + params.wind_gain * lee, 0.0)


def snow_depth(z: np.ndarray, cell: float, params: SnowParams, wind=(1.0, 0.0), drift: np.ndarray | None = None
               ) -> np.ndarray:
    """Snow depth (m) on a height grid ``z`` (rows: y, columns: x, spacing ``cell`` m); slopes from the grid.
    ``drift``: optional relative noise in [-1, 1] on the same grid (scaled by ``params.drift``)."""
    z = np.asarray(z, dtype=np.float64)
    gy, gx = np.gradient(z, cell)
    slope = np.degrees(np.arctan(np.hypot(gx, gy)))
    d = params.depth * altitude_factor(z, params) * redistribution(z, cell, params, np.asarray(wind, dtype=np.float64))
    if drift is not None:
        d = d * np.maximum(1.0 + params.drift * drift, 0.0)
    return np.clip(d * slide(slope, params), 0.0, params.max_depth)


def _edge_spacing(v: np.ndarray, f: np.ndarray) -> np.ndarray:
    """Mean length of the edges at each vertex (as ``materials.displace.normals_and_spacing``, which generators
    may not import)."""
    e = np.concatenate([f[:, [0, 1]], f[:, [1, 2]], f[:, [2, 0]]])
    length = np.linalg.norm(v[e[:, 0]] - v[e[:, 1]], axis=1)
    total = np.bincount(e.ravel(), np.repeat(length, 2), minlength=len(v))
    count = np.bincount(e.ravel(), minlength=len(v))
    return total / np.maximum(count, 1)


class SnowCover:
    """A terrain (``TerrainField``) under snow: the same interface (height, normal, masks, water, mesh_for,
    cones, ...) for the snowy surface. The bare ground stays available as ``bare``."""

    def __init__(self, field, params: SnowParams, seeds: SeedTree):
        self.bare = field
        self.p = params
        rng = seeds.child("wind").rng()
        self.wind = wind_direction(params, rng)
        self._perm = perm_table(seeds.child("drift").rng())
        self._offset = seeds.child("offset").rng().uniform(-1e4, 1e4, 2)
        # the slope-free part on the eroded grid: altitude x redistribution (rows y, columns x)
        zg = field.grid_height
        self.cell, self.x0 = field.cell, field.x0
        self.potential = params.depth * altitude_factor(zg, params) * redistribution(zg, field.cell, params, self.wind)
        self.wind_heading_deg = float(np.degrees(np.arctan2(self.wind[1], self.wind[0])) % 360.0)

    # the bare terrain's interface, passed through
    def __getattr__(self, name):
        if name in ("bare", "p"):
            raise AttributeError(name)
        return getattr(self.bare, name)

    def _potential(self, x, y, z) -> np.ndarray:
        """The slope-free depth at points: the grid's inside it (bilinear), altitude alone beyond (the far field
        is not eroded either), blended over the outer 5 % of the grid."""
        from .field import _bilinear

        g = self.potential
        n = g.shape[0]
        span = (n - 1) * self.cell
        inner = _bilinear(g, self.x0, self.cell, x, y)
        far = self.p.depth * altitude_factor(z, self.p)
        edge = np.minimum.reduce([x - self.x0, self.x0 + span - x, y - self.x0, self.x0 + span - y])
        w = smoothstep(0.0, 0.05 * span, edge)
        return w * inner + (1.0 - w) * far

    def drift(self, x, y) -> np.ndarray:
        """Relative drift noise in about [-1, 1] at points."""
        s = self.p.drift_scale
        return fbm2((x + self._offset[0]) / s, (y + self._offset[1]) / s, self._perm, 3) * 1.6

    def _bare_nz(self, x, y, z) -> np.ndarray:
        """Z of the bare ground's unit normal by forward differences over ``NORMAL_STEP`` m (two height
        evaluations, not four: the plants' grid and the mesh ask for millions of points)."""
        e = NORMAL_STEP
        dx = (self.bare.height(x + e, y) - z) / e
        dy = (self.bare.height(x, y + e) - z) / e
        return 1.0 / np.sqrt(1.0 + dx * dx + dy * dy)

    def _unslid(self, x, y, z) -> np.ndarray:
        return self._potential(x, y, z) * np.maximum(1.0 + self.p.drift * self.drift(x, y), 0.0)

    def depth(self, x, y, z=None, nz=None) -> np.ndarray:
        """Snow depth (m) at points over the bare ground of height ``z`` and normal z component ``nz``
        (both evaluated on the bare terrain when not given)."""
        x = np.asarray(x, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        z = self.bare.height(x, y) if z is None else np.asarray(z, dtype=np.float64)
        nz = self._bare_nz(x, y, z) if nz is None else np.asarray(nz, dtype=np.float64)
        return np.clip(self._unslid(x, y, z) * slide(slope_degrees(nz), self.p), 0.0, self.p.max_depth)

    def upper(self, x, y) -> np.ndarray:
        """An upper bound of ``height`` at a third of its cost (the snow before it slides off steep faces):
        enough for a camera's line-of-sight tests, which only need never to see through the snow."""
        x = np.asarray(x, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        z = self.bare.height(x, y)
        return z + np.clip(self._unslid(x, y, z), 0.0, self.p.max_depth)

    def cover(self, depth) -> np.ndarray:
        """How completely the snow hides the ground (0..1) for a depth."""
        return smoothstep(0.0, self.p.cover_depth, np.asarray(depth, dtype=np.float64))

    def height(self, x, y) -> np.ndarray:
        """The snow surface (the bare ground where there is none)."""
        x = np.asarray(x, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        z = self.bare.height(x, y)
        return z + self.depth(x, y, z)

    def normal(self, x, y, eps: float = 0.05) -> np.ndarray:
        return height_normal(self.height, x, y, eps)

    def masks(self, x, y, z, normals) -> dict[str, np.ndarray]:
        """The terrain's masks at points of the snowy surface, with ``snow`` the cover of the snow there
        (plants read it through their niche's ``snow_max``)."""
        m = self.bare.masks(x, y, z, normals)
        d = np.maximum(np.asarray(z, dtype=np.float64) - self.bare.height(x, y), 0.0)  # z is on the snow
        m["snow"] = np.ascontiguousarray(self.cover(d), dtype=np.float32)
        m["snow_depth"] = np.ascontiguousarray(d, dtype=np.float32)
        return m

    def mesh_for(self, cameras, params=None, near: bool = True) -> Mesh:
        """The bare terrain's camera-following mesh with every vertex raised by the snow depth (where the mesh is
        finer than ``NORMAL_STEP``, each vertex lies at ``height``), masks from the snowy surface, ``snow`` = cover,
        ``snow_depth`` in m."""
        bare = self.bare.mesh_for(cameras, params, near)
        v = bare.vertices.astype(np.float64)
        # the slide's slope, band-limited to the tessellation: over NORMAL_STEP where the mesh is finer, the mesh's
        # own (area-weighted) vertex normal where it is coarser; sampling a 2 m slope at vertices tens of metres
        # apart would alias into blocks of snow and rock on far slopes
        nz = vertex_normals(v, bare.faces)[:, 2]
        spacing = _edge_spacing(v, bare.faces)
        fine = spacing < NORMAL_STEP
        nz[fine] = self._bare_nz(v[fine, 0], v[fine, 1], v[fine, 2])
        d = self.depth(v[:, 0], v[:, 1], v[:, 2], nz)
        v[:, 2] += d
        nrm = vertex_normals(v, bare.faces)
        attrs = self.bare.masks(v[:, 0], v[:, 1], v[:, 2], nrm)
        attrs["snow"] = np.ascontiguousarray(self.cover(d), dtype=np.float32)
        attrs["snow_depth"] = np.ascontiguousarray(d, dtype=np.float32)
        return Mesh(v, bare.faces, attributes=attrs)
