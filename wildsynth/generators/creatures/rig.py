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
        return _on_ground(p, h, self.ground, self.length, height)

    def cycles(self, t: float, stride: float) -> float:
        """Gait cycles completed by time t walking ``stride`` m per cycle (constant speed)."""
        return self.speed * t / stride

    def cycle_time(self, c: float, stride: float) -> float:
        """The time at which ``c`` cycles are complete (inverse of ``cycles``)."""
        return c * stride / self.speed


def _on_ground(p: np.ndarray, h: float, ground: Callable, length: float, height: float) -> np.ndarray:
    """Body frame at ground position ``p`` (2,) heading ``h``: ``height`` above the mean terrain under
    front and back (``length`` apart), pitched with it."""
    fwd = np.array([np.cos(h), np.sin(h)]) * length / 2
    z = np.asarray(ground(np.array([p[0] + fwd[0], p[0] - fwd[0]]), np.array([p[1] + fwd[1], p[1] - fwd[1]])), float)
    zf, zb = float(z[0]), float(z[1])
    m = np.eye(4)
    m[:3, :3] = _yaw_pitch_roll(h, np.arctan2(zf - zb, length))
    m[:3, 3] = [p[0], p[1], 0.5 * (zf + zb) + height]
    return m


class TrackPath:
    """A ground path given by samples (a herd member's, ``herd.py``): positions (S, 2) and velocities
    (S, 2) at scene ``times`` (S,), cubic Hermite in between, heading along the velocity; over
    ``ground`` like ``GroundPath``. The distance walked is the integral of the sampled speed
    (trapezoids), so a gait driven by it (``cycles``) keeps its stride whatever the speed."""

    def __init__(self, times: np.ndarray, pos: np.ndarray, vel: np.ndarray, ground: Callable, length: float):
        self.times, self.pos, self.vel = np.asarray(times, float), np.asarray(pos, float), np.asarray(vel, float)
        self.ground, self.length = ground, float(length)
        sp = np.linalg.norm(self.vel, axis=1)
        if (sp <= 1e-6).any():
            raise ValueError("TrackPath: the speed must stay above zero")
        self.dist = np.concatenate([[0.0], np.cumsum(0.5 * (sp[1:] + sp[:-1]) * np.diff(self.times))])
        self._v0, self._v1 = float(sp[0]), float(sp[-1])

    def xy(self, t: float) -> tuple[np.ndarray, float]:
        ts = self.times
        t = float(t)
        if t <= ts[0] or t >= ts[-1]:  # beyond the samples: straight on at the end velocity
            k = 0 if t <= ts[0] else -1
            v = self.vel[k]
            return self.pos[k] + v * (t - ts[k]), float(np.arctan2(v[1], v[0]))
        k = int(np.clip(np.searchsorted(ts, t) - 1, 0, len(ts) - 2))
        h = ts[k + 1] - ts[k]
        u = (t - ts[k]) / h
        p0, p1, v0, v1 = self.pos[k], self.pos[k + 1], self.vel[k] * h, self.vel[k + 1] * h
        u2, u3 = u * u, u * u * u
        p = (2 * u3 - 3 * u2 + 1) * p0 + (u3 - 2 * u2 + u) * v0 + (-2 * u3 + 3 * u2) * p1 + (u3 - u2) * v1
        d = (6 * u2 - 6 * u) * p0 + (3 * u2 - 4 * u + 1) * v0 + (-6 * u2 + 6 * u) * p1 + (3 * u2 - 2 * u) * v1
        return p, float(np.arctan2(d[1], d[0]))

    def frame(self, t: float, height: float) -> np.ndarray:
        p, h = self.xy(t)
        return _on_ground(p, h, self.ground, self.length, height)

    def speed_at(self, t: float) -> float:
        return float(np.interp(t, self.times, np.linalg.norm(self.vel, axis=1)))

    def walked(self, t: float) -> float:
        """Distance walked from the first sample to time t, m."""
        ts = self.times
        if t <= ts[0]:
            return self._v0 * (t - ts[0])
        if t >= ts[-1]:
            return float(self.dist[-1] + self._v1 * (t - ts[-1]))
        return float(np.interp(t, ts, self.dist))

    def cycles(self, t: float, stride: float) -> float:
        return self.walked(t) / stride

    def cycle_time(self, c: float, stride: float) -> float:
        s, ts = c * stride, self.times
        if s <= 0.0:
            return float(ts[0] + s / self._v0)
        if s >= self.dist[-1]:
            return float(ts[-1] + (s - self.dist[-1]) / self._v1)
        return float(np.interp(s, self.dist, ts))


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
    # cycles completed by time t and its inverse (None: ``frequency`` t): a gait driven by the distance
    # walked (``TrackPath``), so its cadence follows the speed and every stride has the same length
    cycles: Callable[[float], float] | None = None
    cycle_time: Callable[[float], float] | None = None

    def cycle(self, t: float) -> float:
        return self.frequency * t if self.cycles is None else self.cycles(t)

    def _plant(self, root_at: Callable[[float], np.ndarray], ground: Callable, leg: int, n: int) -> np.ndarray:
        """World point where ``leg`` stands during its n-th stance."""
        c = n + self.duty / 2 - self.phase[leg]
        t_mid = c / self.frequency if self.cycle_time is None else self.cycle_time(c)
        r = root_at(t_mid)
        p = r[:3, :3] @ np.array([self.offsets[leg, 0], self.offsets[leg, 1], 0.0]) + r[:3, 3]
        p[2] = float(ground(p[:1], p[1:2])[0]) + self.foot_radius
        return p

    def feet(self, t: float, root_at: Callable[[float], np.ndarray], ground: Callable) -> tuple[np.ndarray, np.ndarray]:
        """World foot targets (L, 3) at time t and whether each is planted (L,)."""
        out, planted = [], []
        for leg in range(len(self.phase)):
            g = self.cycle(t) + self.phase[leg]
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
