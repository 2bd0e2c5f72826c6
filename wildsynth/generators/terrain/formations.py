"""Rock formations a heightfield cannot hold: arches, overhanging hoodoos, warped rocks.

Each formation is a signed distance field (negative inside rock) warped by 3D
noise. They are joined to the ground by a smooth union (polynomial smooth min
of width ``blend``) with the ground's SDF g = z - h(x, y):

    solid(p) = smin(g(p), formations(p), blend)

so rock flows into the ground through a fillet. ``solid`` is meshed with the
camera-centred spherical marching cubes (``sdf.py``) only inside balls that
hold the formations and their fillets; of that mesh only the faces standing
more than ``ground_eps`` above the ground are kept (rock and fillet). The
heightfield mesh stays complete underneath, so there is no hole: the kept
mesh's boundary lies within ``ground_eps`` of the ground and the fillet meets
the ground tangentially.
"""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from ...core.mesh import Mesh
from ...core.seeds import SeedTree
from ..noise import fbm3, perm_table
from .sdf import (
    SphericalGridParams,
    keep_off_ground,
    mesh_sdf_spherical,
    spherical_axes,
    submesh,
)


class FormationParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    count: int = Field(0, ge=0, le=20, description="formations placed in view")
    kinds: tuple[str, ...] = Field(("arch", "hoodoo", "warped"), description="kinds drawn from: arch, hoodoo, warped")
    size: float = Field(14.0, ge=1.0, le=300.0, description="typical size (arch span radius, hoodoo height / 2), m")
    distance_min: float = Field(30.0, ge=2.0, le=5000.0, description="nearest placement from the camera, m")
    distance_max: float = Field(90.0, ge=2.0, le=5000.0, description="farthest placement from the camera, m")
    warp: float = Field(0.18, ge=0.0, le=1.0, description="noise warp relative to the size")
    pixels_per_voxel: float = Field(2.0, ge=1.0, le=64.0, description="marching-cubes voxel size in the view, pixels")
    blend: float = Field(2.0, ge=0.0, le=50.0, description="width of the smooth union with the ground (fillet), m")
    ground_eps: float = Field(0.03, ge=0.001, le=5.0,
                              description="faces this far above the ground are kept (the rest is the ground), m")


class Formations:
    """A set of formations: (kind, centre, axis angle, size) and their joint SDF."""

    def __init__(self, params: FormationParams, seeds: SeedTree, eye: np.ndarray, yaw: float, hfov: float, height):
        self.p = params
        self.height = height
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

    def ground(self, p: np.ndarray) -> np.ndarray:
        """The ground's SDF g = z - h(x, y) (not a true distance on slopes; its sign is exact)."""
        p = np.asarray(p, dtype=np.float64)
        return p[:, 2] - self.height(p[:, 0], p[:, 1])

    def solid(self, p: np.ndarray) -> np.ndarray:
        """Ground and formations joined by a polynomial smooth union of width ``blend``."""
        return smooth_min(self.ground(p), self.sdf(p), self.p.blend)

    def reach(self, s: float) -> float:
        """Radius around a formation's centre beyond which neither it nor its fillet lies, m
        (``sdf`` evaluates a formation only within 3 sizes of its centre)."""
        return 3.0 * s + self.p.blend

    def _lattices(self):
        """Per formation: the SDF on a lattice of spacing size / 8 over its reach (built once)."""
        if getattr(self, "_lat", None) is None:
            self._lat = []
            for _, c, _, s, _ in self.items:
                h = s / 8.0
                n = int(np.ceil(2 * self.reach(s) / h)) + 1
                x0 = c - 0.5 * (n - 1) * h
                g = x0 + h * np.stack(np.meshgrid(*(np.arange(n),) * 3, indexing="ij"), -1).reshape(-1, 3)
                self._lat.append((x0, h, self.sdf(g).reshape(n, n, n)))
        return self._lat

    def bound(self, p: np.ndarray) -> np.ndarray:
        """Negative where a formation or its fillet may lie: the formations' SDF interpolated from a
        lattice (``_lattices``), less ``blend`` and the interpolation's worst error (a Lipschitz
        constant of 2 times the lattice diagonal). Cells outside are never meshed."""
        from scipy.ndimage import map_coordinates

        p = np.asarray(p, dtype=np.float64)
        out = np.full(len(p), np.inf)
        for x0, h, lat in self._lattices():
            q = (p - x0) / h
            inside = np.all((q >= 0) & (q <= lat.shape[0] - 1), axis=1)
            if inside.any():
                f = map_coordinates(lat, q[inside].T, order=1)
                out[inside] = np.minimum(out[inside], f - self.p.blend - 2.0 * np.sqrt(3.0) * h)
        return out

    def mesh(self, eye: np.ndarray, yaw: float, pitch: float, hfov: float, vfov: float, width: int) -> Mesh:
        """Marching cubes of ``solid`` around the formations, minus the faces that are the ground."""
        if not self.items:
            return Mesh(np.zeros((0, 3)), np.zeros((0, 3), dtype=np.int32))
        eye = np.asarray(eye, dtype=np.float64)
        dist = [np.linalg.norm(c - eye) for _, c, _, _, _ in self.items]
        reach = max(self.reach(s) for _, _, _, s, _ in self.items)
        # the balls may reach outside the view: a wider margin and a gentler coarsening there
        gp = SphericalGridParams(pixels_per_voxel=self.p.pixels_per_voxel, r_min=max(0.5, min(dist) - reach),
                                 r_max=max(dist) + reach, margin_deg=10.0, back_factor=4.0)
        axes = spherical_axes(eye, yaw, pitch, hfov, vfov, width, gp)
        m = mesh_sdf_spherical(self.solid, eye, *axes, lipschitz=2.0, bound=self.bound, last=0.0)
        m = keep_off_ground(m, self.height, self.p.ground_eps, side=1)
        if m.n_triangles:  # and only where a formation acts (not ground that marching cubes bent)
            near = self.sdf(m.vertices.astype(np.float64)) < self.p.blend + self.p.ground_eps
            m = submesh(m, near[m.faces].any(axis=1))
        return m


def smooth_min(a: np.ndarray, b: np.ndarray, k: float) -> np.ndarray:
    """Polynomial smooth minimum of width k (the union of two solids with a fillet)."""
    if k <= 0:
        return np.minimum(a, b)
    h = np.maximum(k - np.abs(a - b), 0.0) / k
    return np.minimum(a, b) - h * h * k * 0.25
