"""Camera trajectories: one OpenCV camera per frame, smooth, above the terrain.

Kinds (``TrajectoryParams.kind``):

- ``static``: the placed camera every frame (only things move).
- ``walk``: smooth random walk at the placed camera's height above ground
  (human height by default): heading and gaze wander with band-limited noise.
- ``fly``: the same walk at drone height (``fly_height`` above ground).
- ``orbit``: circle the point the first camera looks at, looking at it.
- ``dolly``: straight ahead along the first camera's horizontal heading.
- ``pan``: stand still and turn (yaw) at ``pan_rate``.

Every position is pushed out of obstacle bounding spheres and kept at least
``clearance`` above the highest ground within ``clearance`` of it, so the camera never
clips into terrain or rocks; the path is then re-smoothed and re-checked.
"""

from __future__ import annotations

from typing import Callable, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from ..core.axes import look_at, yaw_pitch_to_cam
from ..core.camera import Camera
from .placement import Obstacles

Height = Callable[[np.ndarray, np.ndarray], np.ndarray]
KINDS = ("static", "walk", "fly", "orbit", "dolly", "pan")


class TrajectoryParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["static", "walk", "fly", "orbit", "dolly", "pan"] = Field("walk", description="trajectory type")
    speed: float = Field(1.4, ge=0.0, le=100.0, description="camera speed along the path, m/s")
    fly_height: float = Field(12.0, ge=0.5, le=1000.0, description="height above ground for 'fly', m")
    pan_rate: float = Field(20.0, ge=-360.0, le=360.0, description="yaw rate for 'pan', degrees/s")
    wander: float = Field(0.35, ge=0.0, le=3.0, description="heading wander of walk/fly, radians")
    look_wander: float = Field(0.08, ge=0.0, le=1.0, description="gaze wander (yaw and pitch) of walk/fly, radians")
    clearance: float = Field(0.5, ge=0.05, le=100.0, description="least distance above ground and outside obstacles, m")


def _smooth_noise(rng: np.random.Generator, times: np.ndarray, amplitude: float, period: float = 6.0) -> np.ndarray:
    """Band-limited noise: a few sinusoids with random phases, periods near ``period`` s."""
    out = np.zeros_like(times)
    for k in range(3):
        p = period * rng.uniform(0.6, 1.6) / (k + 1)
        out += np.sin(2 * np.pi * times / p + rng.uniform(0, 2 * np.pi)) / (k + 1)
    return amplitude * out / 1.83


def ground_max(ground: Height, xy: np.ndarray, radius: float) -> np.ndarray:
    """Highest ground within ``radius`` (sampled on two rings and the centre)."""
    best = ground(xy[:, 0], xy[:, 1])
    for r in (0.5 * radius, radius):
        for a in np.linspace(0, 2 * np.pi, 8, endpoint=False):
            best = np.maximum(best, ground(xy[:, 0] + r * np.cos(a), xy[:, 1] + r * np.sin(a)))
    return best


def make_safe(positions: np.ndarray, ground: Height, obstacles: Obstacles, clearance: float) -> np.ndarray:
    """Push positions out of obstacle spheres and above the ground (clearance metres)."""
    p = np.array(positions, dtype=np.float64)
    for _ in range(4):
        if len(obstacles.radii):
            d = p[:, None, :] - obstacles.centers[None]
            dist = np.linalg.norm(d, axis=2)
            need = obstacles.radii[None] + clearance
            inside = dist < need
            if inside.any():
                k = np.argmax(np.where(inside, need - dist, -np.inf), axis=1)
                rows = np.nonzero(inside.any(axis=1))[0]
                k = k[rows]
                dd = d[rows, k]
                nrm = np.linalg.norm(dd, axis=1, keepdims=True)
                dd = np.where(nrm > 1e-9, dd / np.maximum(nrm, 1e-9), np.array([0.0, 0.0, 1.0]))
                p[rows] = obstacles.centers[k] + dd * (obstacles.radii[k] + clearance)[:, None]
        floor = ground_max(ground, p[:, :2], clearance) + clearance
        p[:, 2] = np.maximum(p[:, 2], floor)
    return p


def _smooth_path(p: np.ndarray, passes: int = 2) -> np.ndarray:
    q = p.copy()
    for _ in range(passes):
        if len(q) > 2:
            q[1:-1] = 0.25 * q[:-2] + 0.5 * q[1:-1] + 0.25 * q[2:]
    return q


def make_trajectory(params: TrajectoryParams, start: Camera, frames: int, fps: float, ground: Height,
                    obstacles: Obstacles, rng: np.random.Generator) -> list[Camera]:
    """One camera per frame at times k / fps, starting at ``start``'s pose (moved out of collisions)."""
    if frames < 1:
        raise ValueError(f"frames must be >= 1, got {frames}")
    if fps <= 0:
        raise ValueError(f"fps must be > 0, got {fps}")
    p = params
    t = np.arange(frames) / fps
    c2w = start.cam_to_world
    eye0 = c2w[:3, 3].copy()
    fwd = c2w[:3, 2]
    yaw0 = float(np.arctan2(fwd[1], fwd[0]))
    pitch0 = float(np.arcsin(np.clip(fwd[2], -1, 1)))
    lift0 = float(eye0[2] - ground(eye0[:1], eye0[1:2])[0])

    def cams(eyes, mats=None, yaws=None, pitches=None, targets=None):
        out = []
        for k in range(frames):
            if targets is not None:
                m = look_at(eyes[k], targets[k])
            elif yaws is not None:
                m = yaw_pitch_to_cam(eyes[k], yaws[k], pitches[k])
            else:
                m = mats[k].copy()
                m[:3, 3] = eyes[k]
            out.append(Camera(start.K.copy(), m, start.width, start.height))
        return out

    if p.kind == "static":
        eye = make_safe(eye0[None], ground, obstacles, p.clearance)[0]
        return cams(np.repeat(eye[None], frames, 0), mats=[c2w] * frames)
    if p.kind == "pan":
        eye = make_safe(eye0[None], ground, obstacles, p.clearance)[0]
        return cams(np.repeat(eye[None], frames, 0), yaws=yaw0 + np.radians(p.pan_rate) * t,
                    pitches=np.full(frames, pitch0))
    if p.kind == "dolly":
        d = np.array([np.cos(yaw0), np.sin(yaw0), 0.0])
        eyes = eye0[None] + d[None] * (p.speed * t)[:, None]
        g = ground(eyes[:, 0], eyes[:, 1])
        eyes[:, 2] = g + lift0
        eyes = make_safe(_smooth_path(eyes), ground, obstacles, p.clearance)
        return cams(eyes, mats=[c2w] * frames)
    if p.kind == "orbit":
        dist = 8.0
        target = eye0 + fwd * dist
        target[2] = float(ground(target[:1], target[1:2])[0]) + 0.5
        rel = eye0 - target
        radius = max(float(np.linalg.norm(rel[:2])), 1.0)
        a0 = float(np.arctan2(rel[1], rel[0]))
        ang = a0 + p.speed * t / radius
        eyes = np.stack([target[0] + radius * np.cos(ang), target[1] + radius * np.sin(ang),
                         np.full(frames, eye0[2])], -1)
        g = ground(eyes[:, 0], eyes[:, 1])
        eyes[:, 2] = np.maximum(eyes[:, 2], g + lift0)
        eyes = make_safe(eyes, ground, obstacles, p.clearance)
        return cams(eyes, targets=np.repeat(target[None], frames, 0))
    # walk / fly: integrate a wandering heading; height follows the ground
    heading = yaw0 + _smooth_noise(rng, t, p.wander)
    step = p.speed / fps
    xy = np.zeros((frames, 2))
    xy[0] = eye0[:2]
    for k in range(1, frames):
        xy[k] = xy[k - 1] + step * np.array([np.cos(heading[k - 1]), np.sin(heading[k - 1])])
    lift = p.fly_height if p.kind == "fly" else lift0
    eyes = np.concatenate([xy, np.zeros((frames, 1))], 1)
    eyes[:, 2] = ground_max(ground, xy, 1.0) + lift
    eyes = make_safe(eyes, ground, obstacles, p.clearance)
    eyes = make_safe(_smooth_path(eyes, 3), ground, obstacles, p.clearance)
    yaws = heading + _smooth_noise(rng, t, p.look_wander, period=4.0)
    base_pitch = pitch0 if p.kind == "walk" else min(pitch0, np.radians(-20.0))
    pitches = base_pitch + _smooth_noise(rng, t, 0.5 * p.look_wander, period=5.0)
    return cams(eyes, yaws=yaws, pitches=pitches)
