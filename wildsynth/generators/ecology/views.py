"""Where the cameras of a shot look: the union of their horizontal view sectors.

Small plants are placed only where some camera can see them, and detail
(level of detail, thinning) follows the nearest camera. A view is a camera's
eye, heading (yaw) and horizontal half angle widened by a margin; nothing here
reads the image size: the field of view is taken in degrees to 1e-9 (the unit
cameras are specified in), so the same pose and field of view give the same
views whatever ``K``'s pixel scale (``K`` for 96x64 and for 4K can differ in the
last bit of their field of view).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree

from ...core.camera import Camera
from ..scatter import view_sector

SECTOR_MARGIN = 0.35  # radians added to each side of a camera's half field of view


def view_hfov(camera: Camera) -> float:
    """The camera's horizontal field of view (radians), free of the pixel scale of ``K``."""
    return float(np.radians(round(float(np.degrees(camera.hfov)), 9)))


def camera_list(cameras: Camera | Iterable[Camera] | None) -> list[Camera]:
    if cameras is None:
        return []
    if isinstance(cameras, Camera):
        return [cameras]
    out = list(cameras)
    for c in out:
        if not isinstance(c, Camera):
            raise TypeError(f"cameras: expected Camera objects, got {type(c).__name__}")
    return out


@dataclass(frozen=True)
class Views:
    """Eyes (K, 3), headings (K,) and half angles (K,) of distinct views, in the given order."""

    eyes: np.ndarray
    yaws: np.ndarray
    halves: np.ndarray

    @classmethod
    def of(cls, cameras: Camera | Iterable[Camera] | None, margin: float = SECTOR_MARGIN) -> Views | None:
        """The distinct views of ``cameras`` (None when there is none)."""
        eyes, yaws, halves, seen = [], [], [], set()
        for cam in camera_list(cameras):
            eye = cam.position
            yaw, half = view_sector(eye, cam.cam_to_world[:3, 2], view_hfov(cam), margin)
            key = (eye.tobytes(), yaw, half)
            if key not in seen:  # a static camera over many frames is one view
                seen.add(key)
                eyes.append(eye)
                yaws.append(yaw)
                halves.append(half)
        if not eyes:
            return None
        return cls(np.array(eyes, dtype=np.float64), np.array(yaws), np.array(halves))

    @classmethod
    def around(cls, eye) -> Views:
        """Every direction from one eye (no camera: plants all around the ground point)."""
        return cls(np.asarray(eye, dtype=np.float64).reshape(1, 3), np.zeros(1), np.full(1, np.pi))

    def __len__(self) -> int:
        return len(self.eyes)

    @property
    def single(self) -> bool:
        return len(self.eyes) == 1

    def sector(self, k: int = 0) -> tuple[float, float]:
        return float(self.yaws[k]), float(self.halves[k])

    def _polar(self, k: int, xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Distance and absolute angle off view ``k``'s heading of points (M, 2)."""
        e = self.eyes[k]
        d = np.hypot(xy[:, 0] - e[0], xy[:, 1] - e[1])
        ang = np.abs((np.arctan2(xy[:, 1] - e[1], xy[:, 0] - e[0]) - self.yaws[k] + np.pi) % (2 * np.pi) - np.pi)
        return d, ang

    def distance(self, xy: np.ndarray) -> np.ndarray:
        """Horizontal distance (M,) from each point to the nearest eye."""
        xy = np.asarray(xy, dtype=np.float64).reshape(-1, 2)
        if self.single:
            e = self.eyes[0]
            return np.hypot(xy[:, 0] - e[0], xy[:, 1] - e[1])
        return cKDTree(self.eyes[:, :2]).query(xy)[0]

    def inside(self, xy: np.ndarray, radius: float) -> np.ndarray:
        """Mask (M,): points within ``radius`` of some eye and inside that view's sector."""
        xy = np.asarray(xy, dtype=np.float64).reshape(-1, 2)
        todo = np.flatnonzero(self.distance(xy) <= radius)
        keep = np.zeros(len(xy), dtype=bool)
        for k in range(len(self.eyes)):
            if not len(todo):
                break
            d, ang = self._polar(k, xy[todo])
            hit = (d <= radius) & (ang <= self.halves[k])
            keep[todo[hit]] = True
            todo = todo[~hit]
        return keep

    def behind(self, xy: np.ndarray, min_distance: float) -> np.ndarray:
        """Mask (M,): points that, for every view, lie outside its sector and farther than
        ``min_distance`` from its eye (behind every camera: they cast shadows only)."""
        xy = np.asarray(xy, dtype=np.float64).reshape(-1, 2)
        out = np.ones(len(xy), dtype=bool)
        for k in range(len(self.eyes)):
            d, ang = self._polar(k, xy)
            out &= (ang > self.halves[k]) & (d > min_distance)
        return out

    def _box(self) -> tuple[np.ndarray, np.ndarray]:
        lo, hi = self.eyes[:, :2].min(0), self.eyes[:, :2].max(0)
        return (lo + hi) / 2.0, (hi - lo) / 2.0

    def disk(self, radius: float) -> tuple[np.ndarray, float]:
        """Centre and radius of a disk holding every eye's disk of ``radius``."""
        if self.single:
            return self.eyes[0, :2].copy(), float(radius)
        c, _ = self._box()
        return c, float(np.hypot(*(self.eyes[:, :2] - c).T).max() + radius)

    def square(self, radius: float) -> tuple[np.ndarray, float]:
        """Centre and half side of a square holding every eye's square of half side ``radius``."""
        if self.single:
            return self.eyes[0, :2].copy(), float(radius)
        c, half = self._box()
        return c, float(half.max() + radius)
