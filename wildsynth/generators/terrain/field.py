"""A terrain: a landform's analytic height plus erosion, with masks, meshed around the camera.

The landform (``landforms.py``) is a function that can be evaluated anywhere
at any detail. Erosion needs a grid: the landform is sampled on a regular grid
(default 4 km x 4 km, 512 x 512), eroded (hydraulic droplets, then thermal
talus), and only the *change* is kept, as a grid sampled bilinearly and faded
to zero at the grid border:

    height(x, y) = landform(x, y) + erosion_delta(x, y)

So the terrain keeps the landform's fine detail near the camera, gains the
eroded gullies and sediment fans, and continues seamlessly (without erosion)
to the horizon beyond the grid. The grid also gives flow accumulation
(moisture) and the distance to water.

Meshing uses one camera-centred polar grid (``polar.py``): crack-free by
construction, about ``pixels_per_triangle`` pixels per triangle in the view,
coarser behind the camera, out to ``extent`` (the horizon).
"""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, ConfigDict, Field
from scipy import ndimage

from ...core.mesh import Mesh
from ...core.seeds import SeedTree
from ..noise import fbm2, perm_table
from .erosion import ErosionParams, erode
from .landforms import Landform, LandformParams, smoothstep
from .polar import polar_grid


class GridParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    size: float = Field(4000.0, ge=10.0, le=100000.0, description="side of the eroded square, m")
    resolution: int = Field(512, ge=8, le=8192, description="erosion grid cells per side")
    erosion: bool = Field(True, description="run hydraulic and thermal erosion on the grid")


class MeshParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    pixels_per_triangle: float = Field(2.0, ge=0.5, le=64.0, description="triangle size in the view, pixels")
    extent: float = Field(20000.0, ge=100.0, le=200000.0, description="radius of the meshed world (horizon), m")
    radial_factor: float = Field(3.3, ge=1.0, le=20.0, description="radial / angular triangle size near the camera")
    far_start: float = Field(300.0, ge=10.0, le=200000.0, description="distance where triangles start to coarsen, m")
    far_factor: float = Field(5.0, ge=1.0, le=50.0, description="radial / angular triangle size at 10 x far_start")
    margin_deg: float = Field(12.0, ge=0.0, le=90.0, description="full-detail margin around the view, degrees")
    back_factor: float = Field(12.0, ge=1.0, le=100.0, description="angular coarsening outside the view")


class CoverParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    snowline: float = Field(1e4, ge=-1000.0, le=10000.0, description="altitude where snow starts, m")
    snow_band: float = Field(60.0, ge=0.1, le=2000.0, description="altitude over which snow thickens, m")
    snow_max_slope: float = Field(0.45, ge=0.0, le=1.0, description="slope (1 - n_z) above which snow slides off")
    beach_height: float = Field(2.5, ge=0.0, le=50.0, description="land this close above sea level is beach, m")


def _bilinear(grid: np.ndarray, x0: float, cell: float, x: np.ndarray, y: np.ndarray,
              outside: float = 0.0, y0: float | None = None) -> np.ndarray:
    """Bilinear sample of a square grid whose node (0, 0) lies at (x0, y0 or x0)."""
    n = grid.shape[0]
    gx = (x - x0) / cell
    gy = (y - (x0 if y0 is None else y0)) / cell
    inside = (gx >= 0) & (gy >= 0) & (gx <= n - 1) & (gy <= n - 1)
    gx = np.clip(gx, 0, n - 1 - 1e-9)
    gy = np.clip(gy, 0, n - 1 - 1e-9)
    j, i = gx.astype(np.int64), gy.astype(np.int64)
    u, v = gx - j, gy - i
    z = (grid[i, j] * (1 - u) * (1 - v) + grid[i, j + 1] * u * (1 - v) + grid[i + 1, j] * (1 - u) * v
         + grid[i + 1, j + 1] * u * v)
    return np.where(inside, z, outside)


def near_radius(camera, ground_z: float) -> float:
    """Half the distance at which flat ground enters the bottom of the frame (0 if it never leaves it)."""
    fwd = camera.cam_to_world[:3, 2]
    pitch = np.arcsin(np.clip(fwd[2], -1, 1))
    vfov = 2 * np.arctan(0.5 * camera.height / camera.K[1, 1])
    down = -(pitch - vfov / 2)
    h = camera.position[2] - ground_z
    if down >= np.radians(80) or h <= 0:
        return 0.0
    return float(0.5 * h / np.tan(down))


def vertex_normals(vertices: np.ndarray, faces: np.ndarray) -> np.ndarray:
    """Area-weighted unit vertex normals (bincount, fast for millions of faces)."""
    v = vertices.astype(np.float64)
    a, b, c = v[faces[:, 0]], v[faces[:, 1]], v[faces[:, 2]]
    fn = np.cross(b - a, c - a)
    out = np.zeros_like(v)
    for k in range(3):
        for d in range(3):
            out[:, d] += np.bincount(faces[:, k], fn[:, d], minlength=len(v))
    return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-30)


class TerrainField:
    """Landform + erosion + masks; ``height`` is what every other generator and the camera use."""

    def __init__(self, landform: LandformParams, seeds: SeedTree, grid: GridParams | None = None,
                 erosion: ErosionParams | None = None, cover: CoverParams | None = None):
        self.grid_params = grid or GridParams()
        self.erosion_params = erosion or ErosionParams()
        self.cover = cover or CoverParams()
        self.landform = Landform(landform, seeds.child("landform"))
        self.water = self.landform.water
        self._perm_masks = perm_table(seeds.child("masks").rng())
        g = self.grid_params
        n = g.resolution
        self.cell = g.size / (n - 1)
        self.x0 = -g.size / 2.0
        ax = self.x0 + np.arange(n) * self.cell
        gx, gy = np.meshgrid(ax, ax)
        base = self.landform.height(gx, gy)
        self.delta = np.zeros_like(base)
        self.flow = np.zeros_like(base)
        strength = self.landform.erodible
        if g.erosion and strength > 0:
            eroded, self.flow = erode(base, self.cell, self.erosion_params, seeds.child("erosion").rng())
            # fade the change out towards the grid border (continuity with the un-eroded far field)
            edge = np.minimum.reduce([gx - ax[0], ax[-1] - gx, gy - ax[0], ax[-1] - gy])
            fade = smoothstep(0.0, 0.08 * g.size, edge)
            self.delta = (eroded - base) * fade * strength
        self.moisture = np.clip(np.log1p(self.flow) / np.log1p(max(self.flow.max(), 1.0)), 0.0, 1.0)
        # distance to water on the grid (metres)
        zg = base + self.delta * self._keep(gx, gy, base)
        wet = np.zeros(base.shape, dtype=bool)
        if self.water.sea_level is not None:
            wet |= zg < self.water.sea_level
        if self.water.lake_level is not None:
            wet |= zg < self.water.lake_level
        if self.water.river is not None:
            wet |= self.water.river.distance(gx, gy) < self.water.river.width * 0.5
        self.water_dist = (ndimage.distance_transform_edt(~wet) * self.cell if wet.any()
                           else np.full(base.shape, 1e4))

    # -- the surface ---------------------------------------------------------
    def _keep(self, x, y, base):
        """Where the erosion change applies (0: river beds, lake basins and shores stay as shaped).
        Evaluated at the query points, so a coarse grid cannot smear sediment into a narrow bed."""
        keep = np.ones_like(base)
        if self.water.river is not None:
            keep = smoothstep(self.water.river.width * 0.8, self.water.river.width * 2.5,
                              self.water.river.distance(x, y))
        for level in (self.water.sea_level, self.water.lake_level):
            if level is not None:
                keep = keep * smoothstep(level + 1.0, level + 8.0, base)
        return keep

    def height(self, x, y) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        base = self.landform.height(x, y)
        if not self.grid_params.erosion or self.landform.erodible <= 0:
            return base
        return base + _bilinear(self.delta, self.x0, self.cell, x, y) * self._keep(x, y, base)

    def normal(self, x, y, eps: float = 0.05) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        dx = (self.height(x + eps, y) - self.height(x - eps, y)) / (2 * eps)
        dy = (self.height(x, y + eps) - self.height(x, y - eps)) / (2 * eps)
        n = np.stack([-dx, -dy, np.ones_like(dx)], -1)
        return n / np.linalg.norm(n, axis=-1, keepdims=True)

    def water_level(self, x, y) -> np.ndarray:
        """Height of the water surface at (x, y) (-inf where there is no water body)."""
        x = np.asarray(x, dtype=np.float64)
        lvl = np.full(x.shape, -np.inf)
        w = self.water
        if w.sea_level is not None:
            lvl = np.maximum(lvl, w.sea_level)
        if w.lake_level is not None:
            lvl = np.maximum(lvl, w.lake_level)
        if w.river is not None:
            near = w.river.distance(x, y) < w.river.width * 1.5
            lvl = np.where(near, np.maximum(lvl, w.river.level(x, y)), lvl)
        return lvl

    # -- masks ---------------------------------------------------------------
    def masks(self, x, y, z, normals: np.ndarray) -> dict[str, np.ndarray]:
        """Per-vertex fields for materials and scattering, float32:

        slope (1 - n_z), height (m), moisture (flow accumulation, 0..1),
        water_dist (m, capped at 1 km), snow (0..1 by altitude and slope),
        beach (0..1, land just above sea level), cave (0 here: open air),
        patch / dirt (large / medium scale variation, 0..1).
        """
        c = self.cover
        slope = 1.0 - normals[:, 2]
        u, v = x + self.landform.origin[0], y + self.landform.origin[1]
        patch = np.clip(0.5 + 0.9 * fbm2(u / 25.0, v / 25.0, self._perm_masks, 4), 0, 1)
        dirt = np.clip(0.5 + 0.9 * fbm2(u / 6.0 + 57.0, v / 6.0 - 13.0, self._perm_masks, 3), 0, 1)
        big = fbm2(u / 300.0, v / 300.0, self._perm_masks, 3)
        snow = smoothstep(c.snowline, c.snowline + c.snow_band, z + big * c.snow_band * 1.5) * \
            (1.0 - smoothstep(c.snow_max_slope - 0.08, c.snow_max_slope + 0.05, slope))
        moisture = _bilinear(self.moisture, self.x0, self.cell, x, y)
        wd = np.minimum(_bilinear(self.water_dist, self.x0, self.cell, x, y, outside=1e3), 1e3)
        beach = np.zeros_like(z)
        if self.water.sea_level is not None:
            above = z - self.water.sea_level
            beach = (1.0 - smoothstep(c.beach_height * 0.7, c.beach_height * 1.3, above + 0.5 * big)) * \
                (1.0 - smoothstep(0.25, 0.4, slope))
        f = lambda a: np.ascontiguousarray(a, dtype=np.float32)  # noqa: E731
        return {"slope": f(slope), "height": f(z), "moisture": f(moisture), "water_dist": f(wd),
                "snow": f(snow), "beach": f(beach), "cave": f(np.zeros_like(z)), "patch": f(patch), "dirt": f(dirt)}

    def mesh_around(self, eye: np.ndarray, yaw: float, hfov: float, width: int,
                    params: MeshParams | None = None, near: float = 0.0) -> Mesh:
        """The terrain around the camera: polar grid, dense in the view sector, out to the horizon.

        ``near``: ground closer than this (below the frame) is meshed coarsely.
        """
        mp = params or MeshParams()
        xv, yv, faces = polar_grid(eye, yaw, hfov, width, mp.extent, mp.pixels_per_triangle,
                                   margin_deg=mp.margin_deg, r0=0.05, radial_factor=mp.radial_factor, near=near,
                                   far_start=mp.far_start, far_factor=mp.far_factor, back_factor=mp.back_factor)
        zv = self.height(xv, yv)
        verts = np.stack([xv, yv, zv], -1)
        nrm = vertex_normals(verts, faces)
        return Mesh(verts, faces, attributes=self.masks(xv, yv, zv, nrm))


class HeightCache:
    """A height function sampled once on a square grid and read back bilinearly (for SDFs that
    ask for the ground height at every voxel). Outside the square it calls the function."""

    def __init__(self, height, centre, half: float, cell: float):
        n = int(np.ceil(2 * half / cell)) + 1
        self.cell, self.height = cell, height
        self.x0, self.y0 = float(centre[0]) - half, float(centre[1]) - half
        ax = np.arange(n) * cell
        gx, gy = np.meshgrid(self.x0 + ax, self.y0 + ax)
        self.grid = height(gx, gy)
        self.span = (n - 1) * cell

    def __call__(self, x, y):
        x = np.asarray(x, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        inside = (x >= self.x0) & (x <= self.x0 + self.span) & (y >= self.y0) & (y <= self.y0 + self.span)
        z = _bilinear(self.grid, self.x0, self.cell, x, y, y0=self.y0)
        if not inside.all():
            z[~inside] = self.height(x[~inside], y[~inside])
        return z


def split_faces(mesh: Mesh, face_class: np.ndarray) -> dict[int, Mesh]:
    """Sub-meshes by face class (vertices re-indexed, attributes kept). Seams between the
    parts share vertex positions exactly, so the union has no cracks."""
    out = {}
    for k in np.unique(face_class):
        f = mesh.faces[face_class == k]
        used, inv = np.unique(f, return_inverse=True)
        out[int(k)] = Mesh(mesh.vertices[used], inv.reshape(-1, 3),
                           {n: a[used] for n, a in mesh.attributes.items()}, mesh.smooth)
    return out
