"""A creature's rig at any time: its body, where its root is (a path) and how its bones move.

``CreatureRig`` is what ``core.motion.Skinned`` skins: bind vertices, weights, inverse bind
matrices and ``bones(t)``, the world frames of every bone at time t from the kind's animation
(``pose(t) -> (B, 4, 4)``). Paths give the root's world frame over time:

- ``GroundPath``: walking along a gentle arc at constant speed, the body at a given height above
  the terrain under it, pitched with the terrain along the heading;
- ``FlightPath``: a circle (or straight line) at constant altitude and speed, banked into the turn;
- ``SwimPath``: a straight line with a slow sinusoidal weave, at constant depth.

Legs: ``two_bone_ik`` solves a hip-knee-foot chain analytically (law of cosines) in the plane
of the hip, the target and a pole direction; ``Gait`` plans each foot's world positions: planted
for the stance share ``duty`` of every cycle at a point of the ground under where its hip is at
mid-stance, lifted along an arc between plants.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from .body import Body, cross3, frame, rot_x, rot_y, rot_z


@dataclass
class CreatureRig:
    """One creature: its bind-pose body and ``pose(t) -> (B, 4, 4)`` world bone frames."""

    body: Body
    pose: Callable[[float], np.ndarray]  # of the animation's own time (t - t0)
    root_bone: int = 0
    t0: float = 0.0  # scene time at which the animation's time is 0
    path: Callable[[float], np.ndarray] | None = None  # the body's frame on its path (cheap), animation time

    @property
    def bind_vertices(self) -> np.ndarray:
        return self.body.mesh.vertices.astype(np.float64)

    @property
    def faces(self) -> np.ndarray:
        return self.body.mesh.faces

    @property
    def bone_index(self) -> np.ndarray:
        return self.body.bone_index

    @property
    def bone_weight(self) -> np.ndarray:
        return self.body.bone_weight

    @property
    def bind_inverse(self) -> np.ndarray:
        if not hasattr(self, "_bind_inverse"):
            self._bind_inverse = self.body.bind_inverse
        return self._bind_inverse

    def bones(self, t: float) -> np.ndarray:
        return self.pose(float(t) - self.t0)

    def root(self, t: float) -> np.ndarray:
        return self.bones(t)[self.root_bone]

    def centre(self, t: float) -> np.ndarray:
        """Where the body's centre is at scene time t: its bind-pose centroid carried by its path frame
        (creature space to world; no bones posed, so cheap)."""
        if self.path is None:
            return self.root(t)[:3, 3]
        if not hasattr(self, "_bind_centre"):
            self._bind_centre = self.body.mesh.vertices.astype(np.float64).mean(0)
        m = self.path(float(t) - self.t0)
        return m[:3, :3] @ self._bind_centre + m[:3, 3]


def _yaw_pitch_roll(yaw: float, pitch: float = 0.0, roll: float = 0.0) -> np.ndarray:
    """Rotation of the body frame (x forward, z up): yaw about z, then pitch (nose up > 0), roll."""
    return rot_z(yaw) @ rot_y(-pitch) @ rot_x(roll)


@dataclass
class GroundPath:
    """Walking: start (x, y), heading (rad), speed (m/s), turn rate (rad/s); ``ground(x, y)``."""

    start: np.ndarray
    heading: float
    speed: float
    turn: float
    ground: Callable
    length: float  # body length, for the pitch from the terrain under front and back

    def xy(self, t: float) -> tuple[np.ndarray, float]:
        """Position (2,) and heading at time t (exact arc of constant curvature)."""
        h = self.heading + self.turn * t
        if abs(self.turn) < 1e-9:
            d = self.speed * t * np.array([np.cos(self.heading), np.sin(self.heading)])
        else:
            r = self.speed / self.turn
            d = r * np.array([np.sin(h) - np.sin(self.heading), np.cos(self.heading) - np.cos(h)])
        return np.asarray(self.start, float) + d, h

    def frame(self, t: float, height: float) -> np.ndarray:
        """Root frame at time t: on the path, ``height`` above the mean terrain under the body."""
        p, h = self.xy(t)
        fwd = np.array([np.cos(h), np.sin(h)]) * self.length / 2
        zf = float(self.ground(np.array([p[0] + fwd[0]]), np.array([p[1] + fwd[1]]))[0])
        zb = float(self.ground(np.array([p[0] - fwd[0]]), np.array([p[1] - fwd[1]]))[0])
        pitch = np.arctan2(zf - zb, self.length)
        m = np.eye(4)
        m[:3, :3] = _yaw_pitch_roll(h, pitch)
        m[:3, 3] = [p[0], p[1], 0.5 * (zf + zb) + height]
        return m


@dataclass
class FlightPath:
    """Flying a circle of ``radius`` (inf: a straight line) about ``centre`` at ``altitude`` (z)."""

    centre: np.ndarray
    radius: float
    phase: float
    speed: float
    direction: float  # +1 counter-clockwise, -1 clockwise
    altitude: float
    climb: float = 0.0  # m/s

    def frame(self, t: float, bank_gain: float = 1.0) -> np.ndarray:
        m = np.eye(4)
        z = self.altitude + self.climb * t
        if not np.isfinite(self.radius):
            h = self.phase
            p = np.asarray(self.centre, float)[:2] + self.speed * t * np.array([np.cos(h), np.sin(h)])
            m[:3, :3] = _yaw_pitch_roll(h, np.arctan2(self.climb, max(self.speed, 1e-6)))
        else:
            a = self.phase + self.direction * self.speed / self.radius * t
            p = np.asarray(self.centre, float)[:2] + self.radius * np.array([np.cos(a), np.sin(a)])
            h = a + self.direction * np.pi / 2
            bank = self.direction * bank_gain * np.arctan(self.speed**2 / (9.81 * self.radius))
            m[:3, :3] = _yaw_pitch_roll(h, np.arctan2(self.climb, max(self.speed, 1e-6)), -bank)
        m[:3, 3] = [p[0], p[1], z]
        return m


@dataclass
class SwimPath:
    """Swimming along ``heading`` at ``speed`` and height ``z``, weaving ``weave`` m at ``weave_hz``."""

    start: np.ndarray
    heading: float
    speed: float
    z: float
    weave: float = 0.0
    weave_hz: float = 0.2
    phase: float = 0.0

    def frame(self, t: float) -> np.ndarray:
        d = np.array([np.cos(self.heading), np.sin(self.heading)])
        n = np.array([-d[1], d[0]])
        w = 2 * np.pi * self.weave_hz
        side = self.weave * (np.sin(w * t + self.phase) - np.sin(self.phase))
        p = np.asarray(self.start, float)[:2] + self.speed * t * d + side * n
        yaw = self.heading + np.arctan2(self.weave * w * np.cos(w * t + self.phase), max(self.speed, 1e-6))
        m = np.eye(4)
        m[:3, :3] = _yaw_pitch_roll(yaw)
        m[:3, 3] = [p[0], p[1], self.z]
        return m


class GivenPath:
    """A path given as a function of scene time (a group member's boids path, ``flock.py``)."""

    def __init__(self, fn: Callable[[float], np.ndarray]):
        self.fn = fn

    def frame(self, t: float, *args) -> np.ndarray:
        return self.fn(t)


def two_bone_ik(hip: np.ndarray, target: np.ndarray, a: float, b: float, pole: np.ndarray,
                lateral: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """World frames of the upper and lower bone (x along each) reaching from ``hip`` towards
    ``target`` with lengths ``a``, ``b``, the knee bent towards ``pole``; y as close to ``lateral``
    as it can be. Returns (upper (4, 4), lower (4, 4), the foot point reached)."""
    d_vec = target - hip
    d = float(np.linalg.norm(d_vec))
    u = d_vec / max(d, 1e-9)
    d = float(np.clip(d, abs(a - b) + 1e-4, a + b - 1e-4))
    cos_a = np.clip((a * a + d * d - b * b) / (2 * a * d), -1.0, 1.0)
    n = pole - (pole @ u) * u
    n = n / max(np.linalg.norm(n), 1e-9)
    knee = hip + a * (cos_a * u + np.sqrt(1 - cos_a**2) * n)
    foot = hip + d * u
    up_u = cross3(knee - hip, lateral)  # z of a frame whose x is the bone and y the lateral
    up_l = cross3(foot - knee, lateral)
    return frame(hip, knee - hip, up_u), frame(knee, foot - knee, up_l), foot


@dataclass
class Gait:
    """Foot placement of a legged walker: ``phase`` (L,) offsets in cycles, ``duty`` stance share,
    ``frequency`` cycles/s, ``lift`` m, feet under ``offsets`` (L, 2) (creature x, y) at mid-stance."""

    phase: np.ndarray
    duty: float
    frequency: float
    lift: float
    offsets: np.ndarray
    foot_radius: float

    def _plant(self, root_at: Callable[[float], np.ndarray], ground: Callable, leg: int, n: int) -> np.ndarray:
        """World point where ``leg`` stands during its n-th stance."""
        t_mid = (n + self.duty / 2 - self.phase[leg]) / self.frequency
        r = root_at(t_mid)
        p = r[:3, :3] @ np.array([self.offsets[leg, 0], self.offsets[leg, 1], 0.0]) + r[:3, 3]
        p[2] = float(ground(p[:1], p[1:2])[0]) + self.foot_radius
        return p

    def feet(self, t: float, root_at: Callable[[float], np.ndarray], ground: Callable) -> tuple[np.ndarray, np.ndarray]:
        """World foot targets (L, 3) at time t and whether each is planted (L,)."""
        out, planted = [], []
        for leg in range(len(self.phase)):
            g = self.frequency * t + self.phase[leg]
            n = np.floor(g)
            s = g - n
            if self.duty >= 1.0 or s < self.duty:
                out.append(self._plant(root_at, ground, leg, int(n)))
                planted.append(True)
                continue
            lam = (s - self.duty) / (1.0 - self.duty)
            a, b = self._plant(root_at, ground, leg, int(n)), self._plant(root_at, ground, leg, int(n) + 1)
            e = lam * lam * (3 - 2 * lam)
            p = a + (b - a) * e
            floor = float(ground(p[:1], p[1:2])[0]) + self.foot_radius
            p[2] = max(p[2], floor) + self.lift * np.sin(np.pi * lam)
            out.append(p)
            planted.append(False)
        return np.stack(out), np.array(planted)
