"""Camera rigs built around a per-frame reference camera.

- ``mono``: the camera itself, named ``main``.
- ``stereo``: ``left`` is the reference camera; ``right`` is the same camera
  moved by ``baseline`` metres along its own +x (right) axis. Same K, same
  rotation: rectified, parallel optical axes, so a left pixel (u, v) at depth z
  appears in the right image at (u - d, v) with d = fx * baseline / z.
- ``multiview``: ``views`` cameras on a ring (or at random on a spherical cap)
  around the point the reference camera looks at, all looking at it: data for
  reconstruction (NeRF / COLMAP).
"""

from __future__ import annotations

from typing import Callable, Literal

import numpy as np

from ..core.axes import look_at
from ..core.camera import Camera, CameraRig

RigKind = Literal["mono", "stereo", "multiview"]


def stereo_rig(camera: Camera, baseline: float) -> CameraRig:
    if not baseline > 0:
        raise ValueError(f"stereo baseline must be > 0 m, got {baseline}")
    right = camera.cam_to_world.copy()
    right[:3, 3] = camera.cam_to_world[:3, 3] + baseline * camera.cam_to_world[:3, 0]
    return CameraRig({"left": camera, "right": Camera(camera.K.copy(), right, camera.width, camera.height)})


def multiview_rig(camera: Camera, views: int = 8, mode: Literal["ring", "random"] = "ring",
                  target_distance: float = 6.0, rng: np.random.Generator | None = None,
                  ground: Callable | None = None, clearance: float = 0.5) -> CameraRig:
    """``views`` cameras around the point ``target_distance`` ahead of ``camera``.

    Ring: evenly spaced azimuths at the reference camera's distance and height
    offset, view 0 is the reference pose. Random: azimuth uniform, elevation
    10-60 degrees, same distance. Cameras are kept ``clearance`` above ``ground``.
    """
    if views < 1:
        raise ValueError(f"multiview needs at least 1 view, got {views}")
    eye = camera.position
    target = eye + camera.cam_to_world[:3, 2] * target_distance
    rel = eye - target
    radius = float(np.linalg.norm(rel))
    a0 = float(np.arctan2(rel[1], rel[0]))
    e0 = float(np.arcsin(np.clip(rel[2] / max(radius, 1e-9), -1, 1)))
    if mode == "ring":
        az = a0 + 2 * np.pi * np.arange(views) / views
        el = np.full(views, e0)
    else:
        rng = rng if rng is not None else np.random.default_rng(0)
        az = rng.uniform(0, 2 * np.pi, views)
        el = np.radians(rng.uniform(10, 60, views))
    eyes = target + radius * np.stack([np.cos(el) * np.cos(az), np.cos(el) * np.sin(az), np.sin(el)], -1)
    if ground is not None:
        eyes[:, 2] = np.maximum(eyes[:, 2], ground(eyes[:, 0], eyes[:, 1]) + clearance)
    cams = {}
    for k in range(views):
        m = camera.cam_to_world.copy() if (mode == "ring" and k == 0 and np.allclose(eyes[0], eye)) \
            else look_at(eyes[k], target)
        cams[f"view{k:02d}"] = Camera(camera.K.copy(), m, camera.width, camera.height)
    return CameraRig(cams)


def make_rig(kind: RigKind, camera: Camera, baseline: float = 0.075, views: int = 8,
             ground: Callable | None = None) -> CameraRig:
    if kind == "mono":
        return CameraRig({"main": camera})
    if kind == "stereo":
        return stereo_rig(camera, baseline)
    if kind == "multiview":
        return multiview_rig(camera, views, "ring", ground=ground)
    raise ValueError(f"unknown rig {kind!r}; choose mono, stereo or multiview")
