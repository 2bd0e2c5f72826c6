"""Exact surface samples of a mesh and their albedo colour from rendered views.

Samples are area-uniform: a face with probability proportional to its area, then a point
uniform on the triangle (barycentrics ``1 - sqrt(r1)``, ``sqrt(r1) (1 - r2)``, ``sqrt(r1) r2``),
computed in float64 on the mesh's own vertices, so every point lies on its face. Normals
are the faces' geometric normals (winding order).

Colour: each point is projected into every view; a view sees it when the pixel it lands
in has a surface at its centre whose z-depth is within two pixel footprints of the point's
(the depth visibility test). Of the views that see it, the one looking most squarely at
its face gives the colour: the albedo (Cycles' diffuse colour at that pixel's centre).
Points no view sees take the colour of the nearest seen point and are marked ``seen = False``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree

from ..core.camera import Camera
from ..core.mesh import Mesh

VISIBILITY_FOOTPRINTS = 2.0  # depth tolerance of the visibility test, in pixel footprints at the point


@dataclass
class SurfaceSamples:
    points: np.ndarray  # (N, 3) float64
    normals: np.ndarray  # (N, 3) float64 unit face normals
    face: np.ndarray  # (N,) int64 face index


def triangle_areas(mesh: Mesh) -> np.ndarray:
    v = mesh.vertices.astype(np.float64)[mesh.faces]
    return 0.5 * np.linalg.norm(np.cross(v[:, 1] - v[:, 0], v[:, 2] - v[:, 0]), axis=1)


def sample_surface(mesh: Mesh, n: int, rng: np.random.Generator) -> SurfaceSamples:
    """``n`` area-uniform points on ``mesh`` with their face normals and face indices."""
    area = triangle_areas(mesh)
    if not np.isfinite(area).all() or area.sum() <= 0:
        raise ValueError("the mesh has no surface area to sample")
    cdf = np.cumsum(area)
    face = np.minimum(np.searchsorted(cdf, rng.uniform(0.0, cdf[-1], n), side="right"), len(area) - 1)
    r1, r2 = np.sqrt(rng.uniform(0.0, 1.0, n)), rng.uniform(0.0, 1.0, n)
    w = np.stack([1.0 - r1, r1 * (1.0 - r2), r1 * r2], -1)
    tri = mesh.vertices.astype(np.float64)[mesh.faces[face]]
    pts = np.einsum("nk,nkd->nd", w, tri)
    nrm = np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0])
    nrm /= np.maximum(np.linalg.norm(nrm, axis=1, keepdims=True), 1e-300)
    return SurfaceSamples(pts, nrm, face)


@dataclass
class ProjectedColour:
    albedo: np.ndarray  # (N, 3) float32 linear albedo
    seen: np.ndarray  # (N,) bool: some view saw the point
    view: np.ndarray  # (N,) int32: the view the colour came from (-1: not seen, from the nearest seen point)
    pixel: np.ndarray  # (N, 2) int32 (column, row) in that view, -1 if not seen


def visible(camera: Camera, depth: np.ndarray, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Which ``points`` the view sees (depth test against its pixel-centre z-depth) and their pixels."""
    uv, z = camera.project(points)
    h, w = depth.shape
    with np.errstate(invalid="ignore"):
        px = np.floor(uv).astype(np.int64)
    inside = (z > 0) & (px[:, 0] >= 0) & (px[:, 0] < w) & (px[:, 1] >= 0) & (px[:, 1] < h)
    d = np.full(len(points), np.inf)
    d[inside] = depth[px[inside, 1], px[inside, 0]]
    tol = VISIBILITY_FOOTPRINTS * z / camera.K[0, 0]
    return inside & np.isfinite(d) & (np.abs(d - z) <= tol), px


def project_colours(samples: SurfaceSamples, cameras: list[Camera], depths: list[np.ndarray],
                    albedos: list[np.ndarray]) -> ProjectedColour:
    n = len(samples.points)
    best = np.full(n, -np.inf)
    view = np.full(n, -1, dtype=np.int32)
    pixel = np.full((n, 2), -1, dtype=np.int32)
    albedo = np.zeros((n, 3), dtype=np.float32)
    for k, (cam, depth, alb) in enumerate(zip(cameras, depths, albedos)):
        vis, px = visible(cam, depth, samples.points)
        to_cam = cam.position[None, :] - samples.points
        cos = np.abs((samples.normals * to_cam).sum(1)) / np.maximum(np.linalg.norm(to_cam, axis=1), 1e-12)
        better = vis & (cos > best)
        best[better], view[better], pixel[better] = cos[better], k, px[better]
        albedo[better] = alb[px[better, 1], px[better, 0]]
    seen = view >= 0
    if seen.any() and not seen.all():
        _, nearest = cKDTree(samples.points[seen]).query(samples.points[~seen])
        albedo[~seen] = albedo[seen][nearest]
    return ProjectedColour(albedo, seen, view, pixel)
