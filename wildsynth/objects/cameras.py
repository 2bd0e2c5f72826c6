"""Cameras around a normalised object, and the pose conventions of the object-set layouts.

Every camera looks at the origin from a random point of a sphere: the direction uniform
on the sphere (or on the upper hemisphere), the radius uniform in [r_min, r_max]. Cameras
are ``core.Camera`` (OpenCV axes); the layouts convert with ``core.axes`` only.

Zero-1-to-3's relative pose between a conditioning view and a target view is
ΔT = (Δpolar, sin Δazimuth, cos Δazimuth, Δradius) of the two camera positions in
spherical coordinates (polar from +Z, azimuth from +X towards +Y), the positions read
back from 3x4 world-to-camera matrices as C = -Rᵀt.
"""

from __future__ import annotations

import math

import numpy as np

from ..core.axes import look_at, opencv_to_opengl
from ..core.camera import Camera
from ..core.seeds import SeedTree

# Zero-1-to-3's Objaverse renders: a 35 mm lens on a 32 mm sensor
HFOV_DEG = math.degrees(2.0 * math.atan(16.0 / 35.0))


def sphere_cameras(seeds: SeedTree, n: int, size: int, radius: tuple[float, float],
                   hemisphere: bool = False, hfov_deg: float = HFOV_DEG) -> tuple[list[Camera], np.ndarray]:
    """``n`` square cameras of ``size`` px looking at the origin; also their (polar, azimuth, radius)."""
    rng = seeds.rng()
    cz = rng.uniform(0.0 if hemisphere else -1.0, 1.0, n)
    az = rng.uniform(0.0, 2.0 * np.pi, n)
    r = rng.uniform(radius[0], radius[1], n) if radius[1] > radius[0] else np.full(n, float(radius[0]))
    cz = np.clip(cz, -0.999, 0.999)  # never exactly overhead: the up vector stays defined
    s = np.sqrt(1.0 - cz**2)
    eyes = np.stack([s * np.cos(az), s * np.sin(az), cz], -1) * r[:, None]
    cams = [Camera.from_hfov(size, size, hfov_deg, look_at(e, np.zeros(3))) for e in eyes]
    return cams, np.stack([np.arccos(cz), az, r], -1)


def blender_world_to_camera(camera: Camera) -> np.ndarray:
    """3x4 world-to-camera in Blender camera axes (x right, y up, looking along -z): Zero-1-to-3's RT."""
    return np.linalg.inv(opencv_to_opengl(camera.cam_to_world))[:3, :]


def opengl_camera_to_world(camera: Camera) -> np.ndarray:
    """4x4 camera-to-world in OpenGL/Blender camera axes: NeRF's ``transform_matrix``."""
    return opencv_to_opengl(camera.cam_to_world)


def _spherical(position: np.ndarray) -> tuple[float, float, float]:
    x, y, z = (float(c) for c in position)
    return math.atan2(math.hypot(x, y), z), math.atan2(y, x), math.sqrt(x * x + y * y + z * z)


def relative_pose(rt_target: np.ndarray, rt_cond: np.ndarray) -> np.ndarray:
    """Zero-1-to-3's ΔT from two 3x4 world-to-camera matrices (target, conditioning)."""
    pos = [-np.asarray(rt)[:3, :3].T @ np.asarray(rt)[:3, 3] for rt in (rt_target, rt_cond)]
    (pt, at, zt), (pc, ac, zc) = _spherical(pos[0]), _spherical(pos[1])
    da = (at - ac) % (2.0 * math.pi)
    return np.array([pt - pc, math.sin(da), math.cos(da), zt - zc])
