"""Camera placement v0: scored random proposals with a deterministic fallback.

It never fails: if no proposal passes every check, the best-scoring one that
is above ground is used, and if even that is missing, a camera above the
origin looking at the horizon. Checks use a coarse ray march against the
height function and bounding spheres of objects, so no renderer is needed.

Placement does not depend on the output resolution: views are scored at the
reference size (``core.shot.REFERENCE_SIZE``) and the chosen camera is
returned at that size; ``core.shot.at_resolution`` gives it any other size
with the same pose and horizontal field of view.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from ..core.axes import yaw_pitch_to_cam
from ..core.camera import Camera
from ..core.shot import REFERENCE_SIZE


class CameraParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    hfov: float = Field(75.0, ge=10.0, le=150.0, description="horizontal field of view, degrees (when no focal range is given)")
    focal_min: Optional[float] = Field(None, ge=8.0, le=800.0, description="shortest focal length, mm, 35 mm-equivalent by the image width (36 mm); with focal_max, a focal length is drawn per seed, log-uniform (e.g. 24 to 85)")
    focal_max: Optional[float] = Field(None, ge=8.0, le=800.0, description="longest focal length, mm, 35 mm-equivalent (see focal_min)")
    height_min: float = Field(1.5, ge=0.1, le=1000.0, description="lowest camera height above ground, m")
    height_max: float = Field(2.5, ge=0.1, le=1000.0, description="highest camera height above ground, m")
    pitch_min: float = Field(-18.0, ge=-89.0, le=89.0, description="lowest pitch (negative looks down), degrees")
    pitch_max: float = Field(-4.0, ge=-89.0, le=89.0, description="highest pitch, degrees")
    area_radius: float = Field(50.0, ge=0.0, le=10000.0, description="cameras are proposed within this radius of the origin, m")
    proposals: int = Field(48, ge=1, le=30000, description="number of proposals scored")
    min_ground: float = Field(0.3, ge=0.0, le=1.0, description="least fraction of the view covered by ground")
    min_sky: float = Field(0.05, ge=0.0, le=1.0, description="least fraction of sky (horizon in frame)")
    min_distance: float = Field(1.0, ge=0.0, le=100.0, description="nearest allowed surface in view, m")


@dataclass
class Obstacles:
    """Bounding spheres of objects the camera must stay out of and may look at."""

    centers: np.ndarray  # (N, 3)
    radii: np.ndarray  # (N,)

    @classmethod
    def from_instances(cls, sets) -> "Obstacles":
        """Bounding spheres of every placement of some ``Instances`` (uniform scale assumed)."""
        centers, radii = [], []
        for inst in sets:
            lo, hi = inst.mesh.bounds()
            r_local = float(np.linalg.norm(np.maximum(np.abs(lo), np.abs(hi))))
            scale = np.linalg.norm(inst.transforms[:, :3, 0], axis=1)
            centers.append(inst.transforms[:, :3, 3])
            radii.append(r_local * scale)
        return cls(np.concatenate(centers) if centers else np.zeros((0, 3)),
                   np.concatenate(radii) if radii else np.zeros(0))


def _march(height: Callable, origins: np.ndarray, dirs: np.ndarray, far: float = 4000.0,
           steps: int = 160) -> np.ndarray:
    """Distance to the first terrain hit along each ray (inf if none), geometric steps."""
    t = np.geomspace(0.2, far, steps)
    p = origins[:, None, :] + dirs[:, None, :] * t[None, :, None]
    below = p[..., 2] < height(p[..., 0], p[..., 1])
    hit = below.any(axis=1)
    first = np.argmax(below, axis=1)
    return np.where(hit, t[first], np.inf)


def _sphere_hits(eye: np.ndarray, dirs: np.ndarray, obs: Obstacles) -> np.ndarray:
    """Distance along each unit ray from ``eye`` to its first obstacle sphere (inf: none)."""
    if len(obs.radii) == 0:
        return np.full(len(dirs), np.inf)
    oc = obs.centers - eye  # (N, 3): one eye for all rays, so no (rays, N, 3) temporaries
    tc = dirs @ oc.T
    r2 = obs.radii[None] ** 2
    d2 = np.einsum("nk,nk->n", oc, oc)[None] - tc**2
    ok = (d2 < r2) & (tc > 0)
    return np.where(ok, tc - np.sqrt(np.maximum(r2 - d2, 0)), np.inf).min(axis=1)


def place_camera(params: CameraParams, height: Callable, obstacles: Obstacles,
                 rng: np.random.Generator) -> tuple[Camera, dict]:
    """A valid camera (at the reference size) and a report of how it was chosen (for scene.json)."""
    p = params
    n = p.proposals
    rad = p.area_radius * np.sqrt(rng.uniform(0, 1, n))
    ang = rng.uniform(0, 2 * np.pi, n)
    xy = np.stack([rad * np.cos(ang), rad * np.sin(ang)], -1)
    lift = rng.uniform(p.height_min, max(p.height_min, p.height_max), n)
    yaw = rng.uniform(0, 2 * np.pi, n)
    pitch = np.radians(rng.uniform(p.pitch_min, max(p.pitch_min, p.pitch_max), n))
    ground = height(xy[:, 0], xy[:, 1])
    eyes = np.stack([xy[:, 0], xy[:, 1], ground + lift], -1)
    # drawn after the proposals, so a focal range changes the field of view and nothing else drawn
    return choose_view(params, height, obstacles, eyes, yaw, pitch, rng)


def hfov_from_focal(focal_mm_equiv: float) -> float:
    """Horizontal field of view (degrees) of a 35 mm-equivalent focal length, by the 36 mm width."""
    return float(np.degrees(2.0 * np.arctan(18.0 / focal_mm_equiv)))


def drawn_hfov(params: "CameraParams", rng: np.random.Generator | None) -> float:
    """``params.hfov``, or with ``focal_min`` and ``focal_max`` the field of view of a focal length
    drawn log-uniform between them (one draw from ``rng``; their geometric mean without one)."""
    lo, hi = params.focal_min, params.focal_max
    if lo is None or hi is None:
        return params.hfov
    lo, hi = np.log(min(lo, hi)), np.log(max(lo, hi))
    return hfov_from_focal(float(np.exp(rng.uniform(lo, hi) if rng is not None else 0.5 * (lo + hi))))


def choose_view(params: CameraParams, height: Callable, obstacles: Obstacles,
                eyes: np.ndarray, yaw: np.ndarray, pitch: np.ndarray,
                rng: np.random.Generator | None = None) -> tuple[Camera, dict]:
    """The best of the given proposals (eyes (N, 3), yaw and pitch (N,) radians), scored and
    checked like ``place_camera``'s own; never fails (same fallbacks). The camera is at the
    reference size. With a focal range, ``rng`` draws the focal length (after every other draw)."""
    p = params.model_copy(update={"hfov": drawn_hfov(params, rng)})
    n = len(eyes)
    width, height_px = REFERENCE_SIZE
    best, best_score, fallback, fallback_score = None, -np.inf, None, -np.inf
    for k in range(n):
        cam = Camera.from_hfov(width, height_px, p.hfov, yaw_pitch_to_cam(eyes[k], yaw[k], pitch[k]))
        if len(obstacles.radii) and np.any(
            np.linalg.norm(obstacles.centers - eyes[k], axis=1) < obstacles.radii + 0.3
        ):
            continue  # inside or touching an object
        probe = Camera(cam.K * np.array([[24 / width], [18 / height_px], [1]]), cam.cam_to_world, 24, 18)
        dirs = probe.pixel_rays().reshape(-1, 3)
        origins = np.repeat(eyes[k][None], len(dirs), 0)
        dist = np.minimum(_march(height, origins, dirs), _sphere_hits(eyes[k], dirs, obstacles))
        hit = np.isfinite(dist)
        ground_frac, sky_frac = hit.mean(), 1.0 - hit.mean()
        near = dist[hit].min() if hit.any() else np.inf
        score = float(np.std(np.log(dist[hit]))) if hit.sum() > 1 else 0.0
        score += 0.5 * min(near, 10.0) / 10.0
        valid = ground_frac >= p.min_ground and sky_frac >= p.min_sky and near >= p.min_distance
        if valid and score > best_score:
            best, best_score = (cam, k), score
        if score > fallback_score:
            fallback, fallback_score = (cam, k), score
    if best is not None:
        cam, k = best
        how = "proposal"
    elif fallback is not None:
        cam, k = fallback
        how = "fallback: best-scoring proposal (no proposal passed every check)"
    else:
        eye = np.array([0.0, 0.0, float(height(np.zeros(1), np.zeros(1))[0]) + p.height_max + 5.0])
        cam = Camera.from_hfov(width, height_px, p.hfov, yaw_pitch_to_cam(eye, 0.0, np.radians(-10.0)))
        k, how = -1, "fallback: above the origin (every proposal was inside an object)"
    report = {"method": how, "proposal": int(k), "proposals": n,
              "score": float(best_score if best is not None else fallback_score)}
    return cam, report
