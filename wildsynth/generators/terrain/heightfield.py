"""A first terrain: a height function z = h(x, y) from layered noise.

Rolling meadow hills near the origin, ridged mountains rising with distance,
fine ground detail. The function can be evaluated anywhere, so the mesh is
built for the cameras of a shot (``mesh_for``): one connected polar grid whose
triangles subtend a fixed number of pixels in the view sector and grow with
distance; fewer, larger triangles behind the camera. One grid means no cracks.
"""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from ...core.mesh import Mesh
from ...core.seeds import SeedTree
from ..noise import fbm2, perm_table


class TerrainParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    hills_height: float = Field(6.0, ge=0.0, le=200.0, description="amplitude of the rolling hills, m")
    hills_scale: float = Field(120.0, gt=1.0, le=5000.0, description="horizontal size of the hills, m")
    mountain_height: float = Field(700.0, ge=0.0, le=5000.0, description="height of the surrounding mountains, m")
    mountain_scale: float = Field(1800.0, gt=10.0, le=20000.0, description="horizontal size of mountain features, m")
    valley_radius: float = Field(600.0, ge=0.0, le=20000.0, description="radius of the flat valley floor, m")
    detail_height: float = Field(0.25, ge=0.0, le=10.0, description="amplitude of small ground bumps, m")
    warp: float = Field(0.35, ge=0.0, le=2.0, description="domain warping strength (twists ridges)")
    octaves: int = Field(10, ge=1, le=16, description="noise octaves for mountains")
    extent: float = Field(8000.0, ge=100.0, le=50000.0, description="radius of the meshed world, m")
    pixels_per_triangle: float = Field(3.0, ge=0.5, le=64.0, description="triangle size in the view, pixels")


class Heightfield:
    """h(x, y) for given parameters and seeds; cheap to evaluate at millions of points."""

    def __init__(self, params: TerrainParams, seeds: SeedTree):
        self.p = params
        self._perm_hills = perm_table(seeds.child("hills").rng())
        self._perm_mnt = perm_table(seeds.child("mountains").rng())
        self._perm_warp = perm_table(seeds.child("warp").rng())
        self._perm_detail = perm_table(seeds.child("detail").rng())
        self._perm_masks = perm_table(seeds.child("masks").rng())
        self._origin = seeds.child("origin").rng().uniform(-1e4, 1e4, 2)  # different region per seed

    def height(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        p = self.p
        x = np.asarray(x, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        r = np.hypot(x, y)
        u, v = x + self._origin[0], y + self._origin[1]
        s = p.mountain_scale
        wx = fbm2(u / s * 0.7, v / s * 0.7, self._perm_warp, 4) * p.warp * s
        wy = fbm2(v / s * 0.7 + 3.1, u / s * 0.7 - 1.7, self._perm_warp, 4) * p.warp * s
        ridges = fbm2((u + wx) / s, (v + wy) / s, self._perm_mnt, p.octaves, ridged=True)
        t = np.clip((r - p.valley_radius) / max(2.0 * p.valley_radius, 1.0), 0.0, 1.0)
        rise = t * t * (3.0 - 2.0 * t)  # smoothstep: valley floor -> mountains
        hills = fbm2(u / p.hills_scale, v / p.hills_scale, self._perm_hills, 5)
        detail = fbm2(u / 4.0, v / 4.0, self._perm_detail, 4)
        return p.mountain_height * rise * ridges + p.hills_height * hills + p.detail_height * detail

    def gradient(self, x: np.ndarray, y: np.ndarray, eps: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
        dx = (self.height(x + eps, y) - self.height(x - eps, y)) / (2 * eps)
        dy = (self.height(x, y + eps) - self.height(x, y - eps)) / (2 * eps)
        return dx, dy

    def normal(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        dx, dy = self.gradient(x, y)
        n = np.stack([-dx, -dy, np.ones_like(dx)], -1)
        return n / np.linalg.norm(n, axis=-1, keepdims=True)

    def mesh_for(self, cameras, near: bool = True) -> Mesh:
        """The terrain for every camera of a shot: dense where some camera looks, about
        ``pixels_per_triangle`` pixels per triangle in each view (``lod.py``). With ``near``,
        ground below the bottom of a camera's frame (``field.near_radius``) is coarse."""
        from .field import near_radius
        from .lod import cones_from_cameras, lod_grid

        cams = list(cameras)
        nears = [near_radius(c, float(self.height(c.position[:1], c.position[1:2])[0])) if near else 0.0
                 for c in cams]
        xv, yv, faces = lod_grid(cones_from_cameras(cams, nears), self.p.extent, self.p.pixels_per_triangle)
        zv = self.height(xv, yv)
        verts = np.stack([xv, yv, zv], -1)
        return Mesh(verts, faces, attributes=self.masks(xv, yv, zv))

    def masks(self, x: np.ndarray, y: np.ndarray, z: np.ndarray) -> dict[str, np.ndarray]:
        """Per-vertex fields that materials read (cheaper than noise in the shader).

        slope: 1 - n_z (0 flat, 1 vertical); height: altitude in metres;
        patch: large-scale variation in [0, 1] (vegetation patches, rock tint);
        dirt: medium-scale variation in [0, 1] (bare-ground spots).
        """
        nz = self.normal(x, y)[:, 2]
        u, v = x + self._origin[0], y + self._origin[1]
        patch = 0.5 + 0.9 * fbm2(u / 25.0, v / 25.0, self._perm_masks, 4)
        dirt = 0.5 + 0.9 * fbm2(u / 6.0 + 57.0, v / 6.0 - 13.0, self._perm_masks, 3)
        f32 = lambda a: np.clip(a, 0.0, 1.0).astype(np.float32)  # noqa: E731
        return {"slope": (1.0 - nz).astype(np.float32), "height": z.astype(np.float32),
                "patch": f32(patch), "dirt": f32(dirt)}
