"""Rock formations a heightfield cannot hold: arches, overhanging hoodoos, warped rocks.

Each formation is a signed distance field (negative inside rock) warped by 3D
noise; they are combined with smooth unions and meshed with the camera-centred
spherical marching cubes (``sdf.py``), in a radial shell that just holds them,
so their detail follows the camera like the rest of the terrain. They stand on
the terrain with their feet buried; the visible surface is the union of the
two closed/overlapping surfaces (no seam to crack).
"""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from ...core.mesh import Mesh
from ...core.seeds import SeedTree
from ..noise import fbm3, perm_table
from .sdf import SphericalGridParams, mesh_sdf_spherical, spherical_axes


class FormationParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    count: int = Field(0, ge=0, le=20, description="formations placed in view")
    kinds: tuple[str, ...] = Field(("arch", "hoodoo", "warped"), description="kinds drawn from: arch, hoodoo, warped")
    size: float = Field(14.0, ge=1.0, le=300.0, description="typical size (arch span radius, hoodoo height / 2), m")
    distance_min: float = Field(30.0, ge=2.0, le=5000.0, description="nearest placement from the camera, m")
    distance_max: float = Field(90.0, ge=2.0, le=5000.0, description="farthest placement from the camera, m")
    warp: float = Field(0.18, ge=0.0, le=1.0, description="noise warp relative to the size")
    pixels_per_voxel: float = Field(4.0, ge=1.0, le=64.0, description="marching-cubes voxel size in the view, pixels")


class Formations:
    """A set of formations: (kind, centre, axis angle, size) and their joint SDF."""

    def __init__(self, params: FormationParams, seeds: SeedTree, eye: np.ndarray, yaw: float, hfov: float, height):
        self.p = params
        rng = seeds.child("place").rng()
        self.perm = perm_table(seeds.child("warp").rng())
        self.items = []
        for k in range(params.count):
            kind = str(rng.choice(list(params.kinds)))
            d = rng.uniform(params.distance_min, max(params.distance_min, params.distance_max))
            a = yaw + rng.uniform(-0.4, 0.4) * hfov
            xy = np.asarray(eye[:2]) + d * np.array([np.cos(a), np.sin(a)])
            s = params.size * float(rng.uniform(0.7, 1.3))
            z = float(height(xy[:1], xy[1:2])[0])
            self.items.append((kind, np.array([xy[0], xy[1], z]), float(a + np.pi / 2 + rng.uniform(-0.5, 0.5)), s,
                               rng.uniform(0.8, 1.2, 3)))

    def sdf(self, p: np.ndarray) -> np.ndarray:
        p = np.asarray(p, dtype=np.float64)
        out = np.full(len(p), 1e9)
        for kind, c, ang, s, jit in self.items:
            q = p - c
            near = np.einsum("ij,ij->i", q, q) < (3.0 * s) ** 2
            if not near.any():
                continue
            qn = q[near]
            if self.p.warp > 0:
                w = np.stack([fbm3(qn / (0.6 * s) + o, self.perm, octaves=4) for o in (0.0, 31.7, -57.1)], -1)
                qn = qn + self.p.warp * s * w
            ca, sa = np.cos(ang), np.sin(ang)
            a = qn[:, 0] * ca + qn[:, 1] * sa  # along the arch's span
            b = -qn[:, 0] * sa + qn[:, 1] * ca  # across
            z = qn[:, 2]
            if kind == "arch":
                R, t = s * jit[0], 0.22 * s * jit[1]
                ring = np.hypot(a, z + 0.15 * R) - R
                d = np.sqrt(ring ** 2 + (b * 0.6) ** 2) - t  # flattened tube: a wall-like rib
            elif kind == "hoodoo":  # a stem with a wider cap: overhangs
                h = 2.0 * s * jit[0]
                stem = np.hypot(a, b) - 0.22 * s * (1.0 - 0.3 * np.clip(z / h, 0, 1))
                stem = np.maximum(stem, np.maximum(-z - s, z - h))
                cap_c = np.stack([a, b, (z - h) / (0.45 * jit[1])], -1)
                cap = (np.linalg.norm(cap_c, axis=1) - 0.55 * s) * 0.45
                d = np.minimum(stem, cap)
            else:  # warped boulder stack
                e = np.stack([a / (0.9 * s * jit[0]), b / (0.6 * s * jit[1]), (z - 0.3 * s) / (0.7 * s * jit[2])], -1)
                d = (np.linalg.norm(e, axis=1) - 1.0) * 0.6 * s
            out[near] = np.minimum(out[near], d)
        return out

    def mesh(self, eye: np.ndarray, yaw: float, pitch: float, hfov: float, vfov: float, width: int) -> Mesh:
        """Marching cubes of the formations in a spherical shell around the camera."""
        if not self.items:
            return Mesh(np.zeros((0, 3)), np.zeros((0, 3), dtype=np.int32))
        dist = [np.linalg.norm(c - eye) for _, c, _, _, _ in self.items]
        reach = 3.0 * max(s for _, _, _, s, _ in self.items)
        gp = SphericalGridParams(pixels_per_voxel=self.p.pixels_per_voxel, r_min=max(0.5, min(dist) - reach),
                                 r_max=max(dist) + reach, radial_factor=1.5)
        axes = spherical_axes(eye, yaw, pitch, hfov, vfov, width, gp)
        return mesh_sdf_spherical(self.sdf, eye, *axes)
