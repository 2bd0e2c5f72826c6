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
(moisture) and the distance to water, and the water that follows the terrain:

- lakes: the eroded grid's basins filled to their spill level (Priority-Flood),
  kept when large and deep enough; each lake's surface is flat at that level;
- a valley's river: D8 flow on the depression-filled grid, accumulated; the
  main stem through the view is traced, smoothed and carves its bed into the
  surface (``height``), its water level never rising downstream.

Meshing uses one camera-centred polar grid (``polar.py``): crack-free by
construction, about ``pixels_per_triangle`` pixels per triangle in the view,
coarser behind the camera, out to ``extent`` (the horizon).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from pydantic import BaseModel, ConfigDict, Field
from scipy import ndimage

from ...core.geometry import height_normal, vertex_normals
from ...core.mesh import Mesh
from ...core.seeds import SeedTree
from ..noise import fbm2, perm_table
from .erosion import ErosionParams, d8_receivers, erode, fill_depressions, flow_accumulation
from .landforms import Landform, LandformParams, River, ViewHint, smoothstep


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


class LakesParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool = Field(False, description="fill the eroded grid's basins to their spill level as lakes")
    min_area: float = Field(6000.0, ge=0.0, le=1e8, description="smallest lake surface kept, m^2")
    max_area: float = Field(1e8, ge=0.0, le=1e10, description="largest lake surface kept, m^2 (a larger "
                                                              "basin stays dry)")
    min_depth: float = Field(1.5, ge=0.0, le=1000.0, description="shallowest lake kept (deepest point), m")
    max_count: int = Field(6, ge=0, le=100, description="at most this many lakes (the largest)")


class RiverTraceParams(BaseModel):
    """How the river of a valley landform is traced on the eroded grid's drainage."""

    model_config = ConfigDict(extra="forbid")

    smoothing: float = Field(2.5, ge=0.0, le=20.0, description="Gaussian smoothing of the D8 course, grid cells")
    source_fraction: float = Field(0.05, ge=0.0, le=1.0,
                                   description="the course starts where the drained area falls below this "
                                               "fraction of the drained area in view")
    min_gradient: float = Field(2e-4, ge=0.0, le=0.05, description="least fall of the water level per metre")
    freeboard: float = Field(0.5, ge=0.0, le=10.0, description="water level below the lowest ground of the "
                                                             "cross-section, m")
    bank_slope: float = Field(0.3, ge=0.05, le=5.0, description="slope of the cut banks above the water")


@dataclass
class Lake:
    """A filled basin of the eroded grid: its water surface lies at ``level`` (the spill level)."""

    id: int
    level: float
    area: float  # m^2
    max_depth: float  # m
    centroid: np.ndarray  # xy, m
    cells: np.ndarray  # bool grid: the flooded cells


def find_lakes(z: np.ndarray, cell: float, x0: float, params: LakesParams) -> tuple[list[Lake], np.ndarray]:
    """Basins of the height grid ``z`` filled to their spill level (Priority-Flood), kept if large and
    deep enough. Returns the lakes (largest first, ids 1..n) and the filled depth grid."""
    filled = fill_depressions(z)
    depth = filled - z
    wet = depth > 1e-9
    labels, n = ndimage.label(wet, structure=np.ones((3, 3)))
    if n == 0:
        return [], depth
    idx = np.arange(1, n + 1)
    count = ndimage.sum_labels(np.ones_like(z), labels, idx)
    deepest = ndimage.maximum(depth, labels, idx)
    area = count * cell * cell
    ok = (area >= params.min_area) & (area <= params.max_area) & (deepest >= params.min_depth)
    keep = idx[ok][np.argsort(-count[ok], kind="stable")][:params.max_count]
    lakes = []
    for k, lab in enumerate(keep, start=1):
        cells = labels == lab
        ii, jj = np.nonzero(cells)
        lakes.append(Lake(k, float(filled[cells].max()), float(cells.sum() * cell * cell), float(depth[cells].max()),
                          np.array([x0 + jj.mean() * cell, x0 + ii.mean() * cell]), cells))
    return lakes, depth


def _smooth_relu(e, k):
    """max(e, 0) with a rounded corner of half-width k (C1)."""
    return np.where(e > k, e, np.where(e < -k, 0.0, (e + k) ** 2 / (4 * k)))


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


class TerrainField:
    """Landform + erosion + masks; ``height`` is what every other generator and the camera use."""

    def __init__(self, landform: LandformParams, seeds: SeedTree, grid: GridParams | None = None,
                 erosion: ErosionParams | None = None, cover: CoverParams | None = None,
                 lakes: LakesParams | None = None, river: RiverTraceParams | None = None):
        self.grid_params = grid or GridParams()
        self.erosion_params = erosion or ErosionParams()
        self.cover = cover or CoverParams()
        self.lake_params = lakes or LakesParams()
        self.river_params = river or RiverTraceParams()
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
        # the eroded grid: exactly the surface ``height`` gives at the grid nodes (before a river carves)
        self.grid_height = zg = base + (self._kept_delta(self.delta, gx, gy, base) if self._eroded else 0.0)
        # lakes: the grid's basins filled to their spill level
        self.lakes: list[Lake] = []
        self.lake_id = np.zeros(base.shape, dtype=np.int32)  # lakes, grown onto their shores
        if self.lake_params.enabled and self.water.sea_level is None:
            self.lakes, _ = find_lakes(zg, self.cell, self.x0, self.lake_params)
            grow = max(2, int(np.ceil(40.0 / self.cell)))  # the shore: about 40 m of land above the level
            for lake in self.lakes:
                shore = ndimage.binary_dilation(lake.cells, iterations=grow) & (zg >= lake.level) & (self.lake_id == 0)
                self.lake_id[lake.cells | shore] = lake.id
        self._lake_levels = np.array([-np.inf] + [lk.level for lk in self.lakes])
        # a river valley: the river follows the drainage of the eroded grid and carves its bed
        if self.water.valley is not None:
            self.water.river = self._trace_river(zg)
        # distance to water on the grid (metres); moisture rises near fresh water
        fresh = np.zeros(base.shape, dtype=bool)
        for lake in self.lakes:
            fresh |= lake.cells
        if self.water.lake_level is not None:
            fresh |= zg < self.water.lake_level
        if self.water.river is not None:
            pr = self.water.river.project(gx, gy)
            fresh |= pr["distance"] < pr["width"] * 0.5
        wet = fresh | (zg < self.water.sea_level if self.water.sea_level is not None else False)
        self.water_dist = (ndimage.distance_transform_edt(~wet) * self.cell if wet.any()
                           else np.full(base.shape, 1e4))
        if fresh.any():
            near = np.exp(-ndimage.distance_transform_edt(~fresh) * self.cell / 25.0)
            self.moisture = np.maximum(self.moisture, 0.8 * near)

    @property
    def _eroded(self) -> bool:
        return bool(self.grid_params.erosion and self.landform.erodible > 0)

    def _node(self, x, y):
        """Nearest grid node (row, column) of each point and whether the point lies on the grid."""
        n = self.grid_height.shape[0]
        j = np.rint((np.asarray(x, dtype=np.float64) - self.x0) / self.cell)
        i = np.rint((np.asarray(y, dtype=np.float64) - self.x0) / self.cell)
        inside = (i >= 0) & (j >= 0) & (i < n) & (j < n)
        return np.clip(i, 0, n - 1).astype(np.int64), np.clip(j, 0, n - 1).astype(np.int64), inside

    def lake_at(self, x, y) -> np.ndarray:
        """Id of the lake (1..) whose basin or shore holds each point (0: none)."""
        i, j, inside = self._node(x, y)
        return np.where(inside, self.lake_id[i, j], 0)

    # -- the river -------------------------------------------------------------
    def _trace_river(self, zg: np.ndarray) -> River:
        """The main stem of the grid's drainage through the view: D8 flow on the depression-filled
        grid, accumulated; from the cell draining most near the valley's view point, follow the flow
        down to the grid border and the largest tributary up to the source; smooth, extend beyond
        the grid along the valley axis, then set width and depth by the drained area and a water
        level that never rises downstream (below the lowest ground of each cross-section)."""
        rp, lfp, valley = self.river_params, self.landform.p, self.water.valley
        n, cell = zg.shape[0], self.cell
        f = fill_depressions(zg, eps=1e-4)
        rec = d8_receivers(f).ravel()
        acc = flow_accumulation(f, rec.reshape(f.shape))
        self.drainage = acc
        # the seed: the most drained cell within 300 m of the valley axis in view
        anchor = valley.point(np.zeros(1))[0]
        ax = self.x0 + np.arange(n) * cell
        gx, gy = np.meshgrid(ax, ax)
        da = np.hypot(gx - anchor[0], gy - anchor[1])
        near = da < max(300.0, 1.5 * cell)
        if not near.any():  # a small grid away from the valley's view point: its nearest cell
            near = da == da.min()
        seed = int(np.flatnonzero(near.ravel())[np.argmax(acc.ravel()[near.ravel()])])
        down = [seed]
        while rec[down[-1]] >= 0:
            down.append(int(rec[down[-1]]))
        up, k, flat = [], seed, acc.ravel()
        while True:
            i, j = divmod(k, n)
            best, best_acc = -1, rp.source_fraction * flat[seed]
            for di in (-1, 0, 1):
                for dj in (-1, 0, 1):
                    a, b = i + di, j + dj
                    if 0 <= a < n and 0 <= b < n and rec[a * n + b] == k and flat[a * n + b] >= best_acc:
                        best, best_acc = a * n + b, flat[a * n + b]
            if best < 0:
                break
            up.append(best)
            k = best
        path = np.array(up[::-1] + down)
        self.river_cells = path
        pts = np.stack([self.x0 + (path % n) * cell, self.x0 + (path // n) * cell], -1)
        course = _resample(pts, 4.0)
        if rp.smoothing > 0 and len(course) > 3:
            sig = rp.smoothing * cell / 4.0
            course = np.stack([ndimage.gaussian_filter1d(course[:, c], sig, mode="nearest") for c in (0, 1)], -1)
        # beyond the grid the river follows the valley's analytic axis (out to the horizon)
        lim = -self.x0 - 3 * cell
        xr_first = valley.frame(*course[0])[0]
        xr_last = valley.frame(*course[-1])[0]
        sgn = 1.0 if xr_last >= xr_first else -1.0
        parts = [course]
        for end, direction in ((course[-1], sgn), (course[0], -sgn)):
            xr_e, yr_e = valley.frame(end[0], end[1])
            if np.max(np.abs(end)) < lim or abs(yr_e - valley.centre(np.array([xr_e]))[0]) > lfp.valley_width:
                continue  # the course ends inside the grid (its source) or off the valley: no extension
            xr = xr_e + direction * np.arange(1, 4001) * 6.0
            off = (yr_e - valley.centre(np.array([xr_e]))[0]) * np.exp(-np.abs(xr - xr_e) / 300.0)
            ext = valley.point(xr)
            ext += off[:, None] * np.array([-np.sin(valley.angle), np.cos(valley.angle)])
            ext = ext[np.max(np.abs(ext), axis=1) > lim]  # only outside the grid
            if direction == sgn:
                parts.append(ext)
            else:
                parts.insert(0, ext[::-1])
        course = _resample(np.concatenate(parts), 4.0)
        s = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(course, axis=0).T))])
        # hydraulic geometry: width ~ Q^0.5, depth ~ Q^0.4, relative to the drained area in view
        i, j, inside = self._node(course[:, 0], course[:, 1])
        q = np.where(inside, acc[i, j], np.nan)
        first, last = np.flatnonzero(inside)[[0, -1]] if inside.any() else (0, len(q) - 1)
        q[:first], q[last + 1:] = q[first], q[last]
        q = np.maximum.accumulate(np.nan_to_num(q, nan=1.0)) / max(flat[seed], 1.0)
        q = ndimage.gaussian_filter1d(q, 10.0, mode="nearest")
        widths = lfp.width * np.clip(np.sqrt(q), 0.4, 1.6)
        depths = lfp.depth * np.clip(q ** 0.4, 0.5, 1.5)
        # the water level: under the lowest ground across the channel, never rising downstream
        t = np.gradient(course, axis=0)
        t /= np.maximum(np.linalg.norm(t, axis=1, keepdims=True), 1e-12)
        nrm = np.stack([-t[:, 1], t[:, 0]], -1)
        low = np.full(len(course), np.inf)
        for o in (-0.5, -0.25, 0.0, 0.25, 0.5):
            p = course + nrm * (o * widths)[:, None]
            low = np.minimum(low, self._height_uncarved(p[:, 0], p[:, 1]))
        g = rp.min_gradient
        levels = np.minimum.accumulate(low + g * s) - g * s - rp.freeboard
        return River(course, levels, widths, depths, reach=float(widths.max()) * 0.75 + 20.0 / rp.bank_slope)  # banks 20 m up

    def _carve(self, x, y, z):
        """The river's bed: the ground cut down to a channel below the water and banks rising at
        ``bank_slope`` from 1 m above it; fades out at the river's reach."""
        r = self.water.river
        pr = r.project(x, y)
        d, w, dep, lvl = pr["distance"], pr["width"], pr["depth"], pr["level"]
        if not np.any(d < r.reach):
            return z
        target = lvl - dep + (dep + 1.0) * smoothstep(0.35 * w, 0.75 * w, d) + \
            self.river_params.bank_slope * np.maximum(d - 0.75 * w, 0.0)
        fade = 1.0 - smoothstep(0.7 * r.reach, r.reach, d)
        return z - _smooth_relu(z - target, 0.4) * fade

    def view_hint(self) -> ViewHint:
        """The landform's view hint, moved onto the traced river's bank or the main lake's shore."""
        if getattr(self, "_hint", None) is None:
            self._hint = self._view_hint()
        return self._hint

    def _view_hint(self) -> ViewHint:
        hint = self.landform.view_hint()
        r = self.water.river
        if r is not None:
            a = self.water.valley.point(np.zeros(1))[0]
            k = int(np.argmin(np.hypot(r.course[:, 0] - a[0], r.course[:, 1] - a[1])))
            k = min(max(k, 1), len(r.course) - 2)
            t = r.course[k + 1] - r.course[k - 1]
            if np.linalg.norm(t) < 1e-9:  # a course of one point: the valley's direction
                t = np.array([np.cos(self.water.valley.angle), np.sin(self.water.valley.angle)])
            t = t / np.linalg.norm(t)
            left = np.array([-t[1], t[0]])
            return ViewHint(r.course[k] + left * r.widths[k], float(np.arctan2(t[1], t[0])) - 0.45,
                            yaw_spread=0.25)
        if self.lakes and self.landform.kind == "lake":  # the lake that fills the landform's basin
            c0 = self.landform.lake_centre()
            lake = min(self.lakes, key=lambda lk: np.hypot(*(lk.centroid - c0)) / np.sqrt(lk.area))
            return self._lake_view(lake, hint.eye)
        return hint

    def _lake_view(self, lake: Lake, near: np.ndarray) -> ViewHint:
        """A gentle stand on the shore, 12-30 m inland, and a heading that sees the most open water of
        ``lake``: rays over the surface (7 headings across the view, 18 distances out to 1.5 km) from
        up to 300 shore cells, each in 3 headings; a lake sample counts if no nearer ground rises
        above the line of sight. Ties go to the stand nearest ``near`` (the landform's own hint)."""
        cell, zg = self.cell, self.grid_height
        dist = ndimage.distance_transform_edt(~lake.cells) * cell
        band = (dist >= 12.0) & (dist <= max(30.0, 12.0 + 1.5 * cell))
        ii, jj = np.nonzero(band)
        if len(ii) == 0:
            return ViewHint(lake.centroid, 0.0, yaw_spread=np.pi)
        pick = np.unique(np.linspace(0, len(ii) - 1, min(300, len(ii))).astype(int))
        ii, jj = ii[pick], jj[pick]
        eye = np.stack([self.x0 + jj * cell, self.x0 + ii * cell], -1)
        eye_z = self.height(eye[:, 0], eye[:, 1]) + 3.0
        li, lj = np.nonzero(lake.cells)
        lxy = np.stack([self.x0 + lj * cell, self.x0 + li * cell], -1)
        yaws = []
        for e in eye:  # towards the centre of the lake's water within 1.5 km
            w = lxy[np.hypot(*(lxy - e).T) < 1500.0]
            c = w.mean(axis=0) if len(w) else lake.centroid
            yaws.append(np.arctan2(c[1] - e[1], c[0] - e[0]))
        yaw = np.array(yaws)[:, None] + np.array([-0.35, 0.0, 0.35])[None, :]  # (C, Y)
        ang = yaw[..., None] + np.linspace(-0.45, 0.45, 7)  # (C, Y, A)
        d = np.geomspace(15.0, 1500.0, 18)
        px = eye[:, 0, None, None, None] + np.cos(ang)[..., None] * d
        py = eye[:, 1, None, None, None] + np.sin(ang)[..., None] * d
        ground = self.height(px.ravel(), py.ravel()).reshape(px.shape)  # the true surface, not the grid
        wet = (self.lake_at(px, py) == lake.id) & (ground < lake.level)
        z = np.where(wet, lake.level, ground)
        elev = (z - eye_z[:, None, None, None]) / d
        seen = elev >= np.maximum.accumulate(elev, axis=-1) - 1e-9
        score = (wet & seen).sum(axis=(2, 3)) + 25.0 * (~wet[..., :3] & seen[..., :3]).sum(axis=(2, 3)) / 21.0
        gy, gx = np.gradient(zg, cell)
        slope = np.hypot(gx, gy)[ii, jj]  # a gentle stand: the shore, not a scree slope above it
        score = score - 30.0 * slope[:, None] - 1e-4 * np.hypot(*(eye - near).T)[:, None]
        c, y = np.unravel_index(np.argmax(score), score.shape)
        return ViewHint(eye[c], float(yaw[c, y]), yaw_spread=0.2)

    # -- the surface ---------------------------------------------------------
    def _keep(self, x, y, base, deposit: bool = False):
        """Where the erosion change applies (0: flat lake basins and sea shores stay as shaped).
        Evaluated at the query points, so a coarse grid cannot smear sediment into them.
        Deposits fade over a wider band: a basin is a sink that collects tens of metres of
        sediment, and cutting that off within a few metres of the shore left a wall."""
        keep = np.ones_like(base)
        top = 40.0 if deposit else 8.0
        for level in (self.water.sea_level, self.water.lake_level):
            if level is not None:
                keep = keep * smoothstep(level + 1.0, level + top, base)
        return keep

    def _height_uncarved(self, x, y) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        base = self.landform.height(x, y)
        if not self._eroded:
            return base
        return base + self._kept_delta(_bilinear(self.delta, self.x0, self.cell, x, y), x, y, base)

    def _kept_delta(self, delta, x, y, base):
        return delta * np.where(delta > 0, self._keep(x, y, base, deposit=True), self._keep(x, y, base))

    def height(self, x, y) -> np.ndarray:
        z = self._height_uncarved(x, y)
        if self.water.river is not None:
            z = self._carve(np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64), z)
        return z

    def normal(self, x, y, eps: float = 0.05) -> np.ndarray:
        return height_normal(self.height, x, y, eps)

    def water_level(self, x, y) -> np.ndarray:
        """Height of the water surface at (x, y) (-inf where there is no water body)."""
        x = np.asarray(x, dtype=np.float64)
        lvl = np.full(x.shape, -np.inf)
        w = self.water
        if w.sea_level is not None:
            lvl = np.maximum(lvl, w.sea_level)
        if w.lake_level is not None:
            lvl = np.maximum(lvl, w.lake_level)
        if self.lakes:
            lvl = np.maximum(lvl, self._lake_levels[self.lake_at(x, y)])
        if w.river is not None:
            pr = w.river.project(x, y)
            lvl = np.where(pr["distance"] < pr["width"] * 1.5, np.maximum(lvl, pr["level"]), lvl)
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

    def mesh_for(self, cameras, params: MeshParams | None = None, near: bool = True) -> Mesh:
        """The terrain for every camera of a shot: dense where some camera looks, about
        ``pixels_per_triangle`` pixels per triangle in each view (``lod.py``), out to the horizon.

        With ``near``, ground below the bottom of a camera's frame (``near_radius``) is coarse.
        """
        from .lod import lod_grid

        mp = params or MeshParams()
        xv, yv, faces = lod_grid(self.cones(cameras, near), mp.extent, mp.pixels_per_triangle,
                                 margin_deg=mp.margin_deg, r0=0.05, radial_factor=mp.radial_factor,
                                 far_start=mp.far_start, far_factor=mp.far_factor, back_factor=mp.back_factor)
        zv = self.height(xv, yv)
        verts = np.stack([xv, yv, zv], -1)
        nrm = vertex_normals(verts, faces)
        return Mesh(verts, faces, attributes=self.masks(xv, yv, zv, nrm))

    def cones(self, cameras, near: bool = True):
        """The view cones of ``cameras`` for the LOD mesher; ``near``: each camera's ground below its frame."""
        from .lod import cones_from_cameras

        cams = list(cameras)
        if not near:
            return cones_from_cameras(cams, [0.0] * len(cams))
        surf = np.maximum
        eyes = np.array([c.position for c in cams])
        z = surf(self.height(eyes[:, 0], eyes[:, 1]), self.water_level(eyes[:, 0], eyes[:, 1]))
        return cones_from_cameras(cams, [near_radius(c, float(zk)) for c, zk in zip(cams, z)],
                                  heights=[float(c.position[2] - zk) for c, zk in zip(cams, z)])


def _resample(pts: np.ndarray, step: float) -> np.ndarray:
    """A polyline resampled at (about) ``step`` metres along its length."""
    seg = np.hypot(*np.diff(pts, axis=0).T)
    s = np.concatenate([[0.0], np.cumsum(seg)])
    keep = np.concatenate([[True], seg > 1e-9])
    s, pts = s[keep], pts[keep]
    t = np.linspace(0.0, s[-1], max(int(np.ceil(s[-1] / step)) + 1, 2))
    return np.stack([np.interp(t, s, pts[:, 0]), np.interp(t, s, pts[:, 1])], -1)


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
