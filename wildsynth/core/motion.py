"""Rigid motion of scene things over time, keyed by instance id (numpy only).

A ``Motion`` moves every placement that carries one of its ids by a
world-space rigid transform ``D_id(t)`` (4x4): a placement whose rest
transform is ``T`` sits at ``D_id(t) @ T`` at time ``t`` (seconds), and a mesh
object with that id is drawn with ``D_id(t)`` as its object matrix. Motion is
keyed by id rather than by placement so that ids shared by several placements
(a grass patch, a tree's leaves) move together, and so that ground truth,
which only sees ids per pixel, can map every visible surface point exactly:
a point ``P`` seen at time ``a`` is at ``D(b) @ inv(D(a)) @ P`` at time ``b``.

Things that are in no motion are static (``D = identity``).

Point motion (``Motion.move_points``) is the one path by which ground truth
moves surface points between times (flow, scene flow, point tracks). Rigid
motions implement it with their deltas; a deforming mesh (``Deforming``, e.g. a
skinned creature, ``Skinned``) overrides it: each point is located on its mesh at
the first time (closest triangle and barycentric coordinates, ``core.surface``)
and moved to the same barycentric point of the mesh at the second time. Its
``deltas`` are only the rigid motion of its root (for boxes); the renderer sets
its vertex positions per time instead of an object matrix.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Protocol

import numpy as np

from .surface import locate


def axis_angle_matrices(axes: np.ndarray, angles: np.ndarray) -> np.ndarray:
    """(N, 3, 3) rotations about unit ``axes`` (N, 3) by ``angles`` (N,) radians (Rodrigues)."""
    a = np.asarray(axes, dtype=np.float64)
    a = a / np.maximum(np.linalg.norm(a, axis=1, keepdims=True), 1e-30)
    th = np.asarray(angles, dtype=np.float64)
    c, s = np.cos(th), np.sin(th)
    k = np.zeros((len(a), 3, 3))
    k[:, 0, 1], k[:, 0, 2] = -a[:, 2], a[:, 1]
    k[:, 1, 0], k[:, 1, 2] = a[:, 2], -a[:, 0]
    k[:, 2, 0], k[:, 2, 1] = -a[:, 1], a[:, 0]
    return np.eye(3)[None] + s[:, None, None] * k + (1.0 - c)[:, None, None] * (k @ k)


def rotate_about(pivots: np.ndarray, rotations: np.ndarray, shift: np.ndarray | None = None) -> np.ndarray:
    """(N, 4, 4) = translate(pivot + shift) @ R @ translate(-pivot)."""
    p = np.asarray(pivots, dtype=np.float64)
    n = len(p)
    m = np.zeros((n, 4, 4))
    m[:, :3, :3] = rotations
    t = p - np.einsum("nij,nj->ni", rotations, p)
    if shift is not None:
        t = t + shift
    m[:, :3, 3] = t
    m[:, 3, 3] = 1.0
    return m


class Motion(ABC):
    """World-space rigid deltas for a set of ids; identity at rest."""

    ids: np.ndarray  # (N,) uint32

    rigid = True  # False for a deforming mesh: then ``move_points`` is the only truth

    @abstractmethod
    def deltas(self, t: float) -> np.ndarray:
        """(N, 4, 4) float64 transforms at time ``t`` seconds, one per id."""

    def move_points(self, ids: np.ndarray, points: np.ndarray, t_from: float, t_to: float) -> np.ndarray:
        """World points (M, 3) of things with ``ids`` (M,) (all in ``self.ids``) seen at ``t_from``,
        where they are at ``t_to``. Rigid: ``D(t_to) inv(D(t_from)) P``. The hook a deforming mesh
        overrides (e.g. from the hit triangle's vertex positions at both times)."""
        rel = self.deltas(t_to) @ np.linalg.inv(self.deltas(t_from))
        order = np.argsort(self.ids, kind="stable")
        r = rel[order[np.searchsorted(self.ids, ids, sorter=order)]]
        return np.einsum("nij,nj->ni", r[:, :3, :3], points) + r[:, :3, 3]


class Sway(Motion):
    """Wind sway: each id rocks about a pivot (its base) around a horizontal axis.

    angle(t) = amplitude * (sin(2 pi f t + phase) + 0.35 sin(2 pi 2.3 f t + 1.7 phase)),
    rotation axis perpendicular to the wind direction, so tops move downwind and back.
    """

    def __init__(self, ids, pivots, amplitude, frequency, phase, wind_direction=(1.0, 0.0)):
        self.ids = np.asarray(ids, dtype=np.uint32)
        n = len(self.ids)
        self.pivots = np.asarray(pivots, dtype=np.float64).reshape(n, 3)
        self.amplitude = np.broadcast_to(np.asarray(amplitude, dtype=np.float64), (n,)).copy()
        self.frequency = np.broadcast_to(np.asarray(frequency, dtype=np.float64), (n,)).copy()
        self.phase = np.broadcast_to(np.asarray(phase, dtype=np.float64), (n,)).copy()
        w = np.asarray(wind_direction, dtype=np.float64)
        w = w / max(np.linalg.norm(w), 1e-12)
        self.axis = np.array([-w[1], w[0], 0.0])  # rotation about this tips +Z towards the wind direction

    def deltas(self, t: float) -> np.ndarray:
        w = 2.0 * np.pi * self.frequency * t
        ang = self.amplitude * (np.sin(w + self.phase) + 0.35 * np.sin(2.3 * w + 1.7 * self.phase))
        rot = axis_angle_matrices(np.repeat(self.axis[None], len(self.ids), 0), ang)
        return rotate_about(self.pivots, rot)


class Fall(Motion):
    """Falling, tumbling particles (leaves, snow): constant velocity plus a side-to-side
    flutter, spinning about a fixed axis through each particle's rest centre."""

    def __init__(self, ids, centres, velocity, spin_axis, spin_rate, flutter=0.0, flutter_frequency=0.7,
                 phase=0.0):
        self.ids = np.asarray(ids, dtype=np.uint32)
        n = len(self.ids)
        self.centres = np.asarray(centres, dtype=np.float64).reshape(n, 3)
        self.velocity = np.asarray(velocity, dtype=np.float64).reshape(n, 3)
        self.spin_axis = np.asarray(spin_axis, dtype=np.float64).reshape(n, 3)
        self.spin_rate = np.broadcast_to(np.asarray(spin_rate, dtype=np.float64), (n,)).copy()
        self.flutter = np.broadcast_to(np.asarray(flutter, dtype=np.float64), (n,)).copy()
        self.flutter_frequency = np.broadcast_to(np.asarray(flutter_frequency, dtype=np.float64), (n,)).copy()
        self.phase = np.broadcast_to(np.asarray(phase, dtype=np.float64), (n,)).copy()

    def deltas(self, t: float) -> np.ndarray:
        w = 2.0 * np.pi * self.flutter_frequency * t + self.phase
        side = self.flutter[:, None] * np.stack([np.sin(w) - np.sin(self.phase),
                                                 np.cos(0.8 * w) - np.cos(self.phase), np.zeros_like(w)], -1)
        rot = axis_angle_matrices(self.spin_axis, self.spin_rate * t)
        return rotate_about(self.centres, rot, self.velocity * t + side)


def _sinusoids(amp: np.ndarray, freq: np.ndarray, phase: np.ndarray, t: float) -> tuple[np.ndarray, ...]:
    """Sum over k of ``amp (sin(w t + phase) - sin(phase))``, w = 2 pi freq, and its first two
    time derivatives; amp and phase (N, K, 3), freq (N, K). Zero at t = 0."""
    w = 2.0 * np.pi * freq[..., None]
    a = w * t + phase
    value = (amp * (np.sin(a) - np.sin(phase))).sum(1)
    rate = (amp * w * np.cos(a)).sum(1)
    accel = -(amp * w * w * np.sin(a)).sum(1)
    return value, rate, accel


class Flight(Motion):
    """Smooth random 6-DoF flight of rigid things (movers), every derivative bounded.

    Centre ``c(t) = c0 + v t + sum_k A_k (sin(2 pi f_k t + phi_k) - sin phi_k)`` and
    orientation ``R(t) = exp([r(t)]_x)`` with the rotation vector
    ``r(t) = Omega t + sum_k B_k (sin(2 pi g_k t + psi_k) - sin psi_k)``: a drift plus
    low-frequency wobble, a spin plus a tumble. The world delta is
    ``D(t) = translate(c(t)) R(t) translate(-c0)``, identity at t = 0 (the rest pose).
    Acceleration is bounded by ``sum_k |A_k| (2 pi f_k)^2`` per axis.
    """

    def __init__(self, ids, centres, velocity, amp, freq, phase, spin, tumble, tumble_freq, tumble_phase):
        self.ids = np.asarray(ids, dtype=np.uint32)
        n = len(self.ids)
        self.centres = np.asarray(centres, dtype=np.float64).reshape(n, 3)
        self.velocity = np.asarray(velocity, dtype=np.float64).reshape(n, 3)
        self.amp = np.asarray(amp, dtype=np.float64).reshape(n, -1, 3)
        self.freq = np.asarray(freq, dtype=np.float64).reshape(n, -1)
        self.phase = np.asarray(phase, dtype=np.float64).reshape(n, -1, 3)
        self.spin = np.asarray(spin, dtype=np.float64).reshape(n, 3)
        self.tumble = np.asarray(tumble, dtype=np.float64).reshape(n, -1, 3)
        self.tumble_freq = np.asarray(tumble_freq, dtype=np.float64).reshape(n, -1)
        self.tumble_phase = np.asarray(tumble_phase, dtype=np.float64).reshape(n, -1, 3)

    def positions(self, t: float) -> np.ndarray:
        """(N, 3) centres at time ``t``."""
        return self.centres + self.velocity * t + _sinusoids(self.amp, self.freq, self.phase, t)[0]

    def velocities(self, t: float) -> np.ndarray:
        return self.velocity + _sinusoids(self.amp, self.freq, self.phase, t)[1]

    def accelerations(self, t: float) -> np.ndarray:
        return _sinusoids(self.amp, self.freq, self.phase, t)[2]

    def max_acceleration(self) -> np.ndarray:
        """(N,) an upper bound of |c''(t)| over all t."""
        w2 = (2.0 * np.pi * self.freq[..., None]) ** 2
        return np.linalg.norm((np.abs(self.amp) * w2).sum(1), axis=1)

    def rotations(self, t: float) -> np.ndarray:
        """(N, 3, 3) orientations at time ``t`` (relative to the rest pose)."""
        r = self.spin * t + _sinusoids(self.tumble, self.tumble_freq, self.tumble_phase, t)[0]
        return axis_angle_matrices(r, np.linalg.norm(r, axis=1))

    def deltas(self, t: float) -> np.ndarray:
        return rotate_about(self.centres, self.rotations(t), self.positions(t) - self.centres)

    def lift(self, dz: np.ndarray) -> None:
        """Raise each thing's whole path by ``dz`` (N,) metres (its rest pose moves with it)."""
        self.centres[:, 2] += dz


class Deforming(Motion):
    """Deforming meshes, one per id: world vertex positions at any time (``vertices``) over fixed
    faces. Not rigid: ``move_points`` carries a surface point by its triangle's vertices."""

    rigid = False
    faces: list  # (F_k, 3) int per id

    @abstractmethod
    def vertices(self, t: float) -> list[np.ndarray]:
        """World vertex positions (V_k, 3) float64 of each id's mesh at time ``t``."""

    def box_axes(self, t: float) -> list[np.ndarray]:
        """(3, 3) axes (columns) of each id's oriented 3D box at time ``t`` (default: the world's)."""
        return [np.eye(3) for _ in self.ids]

    def move_points(self, ids: np.ndarray, points: np.ndarray, t_from: float, t_to: float) -> np.ndarray:
        """Each point (on its id's mesh at ``t_from``) to the same barycentric point of the mesh at
        ``t_to``: closest triangle and barycentric coordinates at ``t_from`` (``core.surface.locate``)."""
        ids = np.asarray(ids)
        out = np.array(points, dtype=np.float64, copy=True).reshape(-1, 3)
        va, vb = self.vertices(t_from), self.vertices(t_to)
        for k, i in enumerate(self.ids):
            sel = ids == i
            if not sel.any():
                continue
            f = self.faces[k]
            tri, bary, _ = locate(out[sel], va[k], f)
            out[sel] = np.einsum("nj,njd->nd", bary, vb[k][f[tri]])
        return out


class Rig(Protocol):
    """What ``Skinned`` needs of one skinned mesh (a creature, ``generators/creatures``)."""

    bind_vertices: np.ndarray  # (V, 3) in the bind pose (creature space)
    faces: np.ndarray  # (F, 3)
    bone_index: np.ndarray  # (V, K) int: the K bones moving each vertex
    bone_weight: np.ndarray  # (V, K) float, rows sum to 1
    bind_inverse: np.ndarray  # (B, 4, 4) inverse bind matrices of the bones

    def bones(self, t: float) -> np.ndarray:
        """(B, 4, 4) world matrices of the bones at time ``t`` (root placement included)."""

    def root(self, t: float) -> np.ndarray:
        """(4, 4) world matrix of the body's root at time ``t``."""


def skin(rig: Rig, t: float) -> np.ndarray:
    """Linear blend skinning: ``v(t) = sum_k w_k B_k(t) inv(B_k^bind) v_bind``, (V, 3) float64."""
    m = rig.bones(t) @ rig.bind_inverse  # (B, 4, 4)
    v = np.asarray(rig.bind_vertices, dtype=np.float64)
    mv = np.einsum("vkij,vj->vki", m[rig.bone_index][..., :3, :3], v) + m[rig.bone_index][..., :3, 3]
    return np.einsum("vk,vki->vi", rig.bone_weight, mv)


class Skinned(Deforming):
    """Skinned meshes (``Rig``), one id each: vertices by linear blend skinning of their skeleton
    at time t; ``deltas`` = each root's rigid motion from t = 0. The last few poses are cached
    (flow asks for one time several times per frame)."""

    def __init__(self, ids, rigs: list):
        self.ids = np.asarray(ids, dtype=np.uint32)
        self.rigs = list(rigs)
        if len(self.rigs) != len(self.ids):
            raise ValueError(f"Skinned: {len(self.ids)} ids for {len(self.rigs)} rigs")
        self.faces = [np.asarray(r.faces, dtype=np.int64) for r in self.rigs]
        self._root0 = [np.linalg.inv(r.root(0.0)) for r in self.rigs]
        self._cache: dict[float, list[np.ndarray]] = {}

    def vertices(self, t: float) -> list[np.ndarray]:
        t = float(t)
        got = self._cache.get(t)
        if got is None:
            got = [skin(r, t) for r in self.rigs]
            if len(self._cache) >= 4:
                self._cache.pop(next(iter(self._cache)))
            self._cache[t] = got
        return got

    def box_axes(self, t: float) -> list[np.ndarray]:
        """Each body's root axes at ``t`` (a creature's box is aligned with its body)."""
        out = []
        for r in self.rigs:
            m = r.root(t)[:3, :3]
            out.append(m / np.linalg.norm(m, axis=0))
        return out

    def deltas(self, t: float) -> np.ndarray:
        if not self.rigs:
            return np.zeros((0, 4, 4))
        return np.stack([r.root(t) @ r0 for r, r0 in zip(self.rigs, self._root0)])


class MotionSet:
    """All motions of a scene; answers "where is id i at time t" for renderers and gt/."""

    def __init__(self, motions: list[Motion] | None = None):
        self.motions: list[Motion] = list(motions or [])

    def add(self, motion: Motion) -> Motion:
        self.motions.append(motion)
        return motion

    def __len__(self) -> int:
        return len(self.motions)

    @property
    def ids(self) -> np.ndarray:
        if not self.motions:
            return np.zeros(0, np.uint32)
        return np.concatenate([m.ids for m in self.motions])

    def deltas(self, t: float) -> tuple[np.ndarray, np.ndarray]:
        """(ids (M,), deltas (M, 4, 4)) of every moving id at time ``t``."""
        if not self.motions:
            return np.zeros(0, np.uint32), np.zeros((0, 4, 4))
        return self.ids, np.concatenate([m.deltas(t) for m in self.motions])

    def relative(self, t_from: float, t_to: float) -> tuple[np.ndarray, np.ndarray]:
        """(ids, D(t_to) @ inv(D(t_from))): maps world points of each id from one time to another
        (exactly for rigid motions; for a deforming mesh only its root's motion)."""
        ids, a = self.deltas(t_from)
        _, b = self.deltas(t_to)
        return ids, b @ np.linalg.inv(a) if len(ids) else a

    def move_points(self, ids: np.ndarray, points: np.ndarray, t_from: float, t_to: float) -> np.ndarray:
        """World points (..., 3) of things ``ids`` (...) seen at ``t_from``, where they are at
        ``t_to`` (static things stay). Each motion moves its own ids (``Motion.move_points``)."""
        ids = np.asarray(ids)
        pts = np.asarray(points, dtype=np.float64)
        out = pts.copy()
        if not self.motions or ids.size == 0:
            return out
        flat_ids, flat_p, flat_o = ids.reshape(-1), pts.reshape(-1, 3), out.reshape(-1, 3)
        for m in self.motions:
            sel = np.isin(flat_ids, m.ids) & np.all(np.isfinite(flat_p), axis=1)
            if sel.any():
                flat_o[sel] = m.move_points(flat_ids[sel], flat_p[sel], t_from, t_to)
        return out

    @property
    def rigid(self) -> bool:
        return all(m.rigid for m in self.motions)

    def rigid_deltas(self, t: float) -> tuple[np.ndarray, np.ndarray]:
        """``deltas`` of the rigid motions only (what a renderer poses by object matrices)."""
        return MotionSet([m for m in self.motions if m.rigid]).deltas(t)

    @property
    def deforming(self) -> list[Deforming]:
        """The motions whose meshes deform (a renderer sets their vertices per time)."""
        return [m for m in self.motions if not m.rigid]

    def lookup(self, n_ids: int, t_from: float, t_to: float) -> tuple[np.ndarray, np.ndarray]:
        """(index (n_ids + 1,) int32, -1 = static; transforms (M, 4, 4)) for per-pixel gathering.
        Rigid motions only: a deforming mesh has no per-id transform (use ``move_points``)."""
        if not self.rigid:
            raise ValueError("MotionSet.lookup: the set holds deforming meshes; use move_points")
        ids, rel = self.relative(t_from, t_to)
        index = np.full(int(n_ids) + 1, -1, dtype=np.int32)
        if len(ids):
            if int(ids.max()) > n_ids:
                raise ValueError(f"motion names id {int(ids.max())} beyond the scene's {n_ids} ids")
            index[ids] = np.arange(len(ids), dtype=np.int32)
        return index, rel
