"""Pinhole cameras in OpenCV convention and rigs of them."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class Camera:
    """A pinhole camera: K (3x3, pixels), cam_to_world (4x4, OpenCV axes), size in pixels.

    Pixel (u, v) = (column, row) with the origin at the top-left corner of the
    top-left pixel, so pixel centres sit at +0.5.
    """

    K: np.ndarray
    cam_to_world: np.ndarray
    width: int
    height: int

    def __post_init__(self) -> None:
        self.K = np.asarray(self.K, dtype=np.float64).reshape(3, 3)
        self.cam_to_world = np.asarray(self.cam_to_world, dtype=np.float64).reshape(4, 4)
        self.width, self.height = int(self.width), int(self.height)

    @classmethod
    def from_hfov(cls, width: int, height: int, hfov_deg: float, cam_to_world: np.ndarray) -> "Camera":
        fx = 0.5 * width / np.tan(0.5 * np.radians(hfov_deg))
        K = np.array([[fx, 0.0, width / 2.0], [0.0, fx, height / 2.0], [0.0, 0.0, 1.0]])
        return cls(K, cam_to_world, width, height)

    @property
    def position(self) -> np.ndarray:
        return self.cam_to_world[:3, 3].copy()

    @property
    def world_to_cam(self) -> np.ndarray:
        return np.linalg.inv(self.cam_to_world)

    @property
    def hfov(self) -> float:
        """Horizontal field of view in radians."""
        return float(2.0 * np.arctan(0.5 * self.width / self.K[0, 0]))

    def pixel_rays(self, step: int = 1) -> np.ndarray:
        """Unit world-space ray directions through pixel centres, (H/step, W/step, 3)."""
        u = np.arange(0, self.width, step) + 0.5
        v = np.arange(0, self.height, step) + 0.5
        uu, vv = np.meshgrid(u, v)
        d = np.stack([(uu - self.K[0, 2]) / self.K[0, 0], (vv - self.K[1, 2]) / self.K[1, 1], np.ones_like(uu)], -1)
        d = d @ self.cam_to_world[:3, :3].T
        return d / np.linalg.norm(d, axis=-1, keepdims=True)

    def backproject(self, depth: np.ndarray) -> np.ndarray:
        """World points (H, W, 3) from a z-depth map (metres along the optical axis)."""
        h, w = depth.shape
        uu, vv = np.meshgrid(np.arange(w) + 0.5, np.arange(h) + 0.5)
        x = (uu - self.K[0, 2]) / self.K[0, 0] * depth
        y = (vv - self.K[1, 2]) / self.K[1, 1] * depth
        pc = np.stack([x, y, depth], -1)
        return pc @ self.cam_to_world[:3, :3].T + self.cam_to_world[:3, 3]

    def project(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Pixel coordinates (N, 2) and z-depth (N,) of world points (N, 3)."""
        w2c = self.world_to_cam
        pc = np.asarray(points, dtype=np.float64) @ w2c[:3, :3].T + w2c[:3, 3]
        z = pc[:, 2]
        uv = (pc @ self.K.T)[:, :2] / z[:, None]
        return uv, z

    def toward(self, other: "Camera", w: float) -> "Camera":
        """The camera a fraction ``w`` of the way to ``other`` (K and size of this one): the position
        along the straight line, the rotation along the shortest arc (``w`` outside [0, 1] extrapolates
        at the same rates)."""
        from scipy.spatial.transform import Rotation

        a, b = self.cam_to_world, other.cam_to_world
        turn = Rotation.from_matrix(a[:3, :3].T @ b[:3, :3]).as_rotvec()
        m = np.eye(4)
        m[:3, :3] = a[:3, :3] @ Rotation.from_rotvec(w * turn).as_matrix()
        m[:3, 3] = a[:3, 3] + w * (b[:3, 3] - a[:3, 3])
        return Camera(self.K.copy(), m, self.width, self.height)

    def points_in_view(self, n: int, near: float, far: float, rng: np.random.Generator,
                       margin: float = 0.05) -> np.ndarray:
        """``n`` world points at uniform random pixels (inside a ``margin`` fraction of
        the border) and log-uniform z-depth in [near, far]: evenly spread on screen."""
        u = rng.uniform(margin, 1.0 - margin, n) * self.width
        v = rng.uniform(margin, 1.0 - margin, n) * self.height
        z = np.exp(rng.uniform(np.log(near), np.log(max(far, near * 1.0001)), n))
        pc = np.stack([(u - self.K[0, 2]) / self.K[0, 0] * z, (v - self.K[1, 2]) / self.K[1, 1] * z, z], -1)
        return pc @ self.cam_to_world[:3, :3].T + self.cam_to_world[:3, 3]

    def to_dict(self) -> dict:
        return {
            "width": self.width,
            "height": self.height,
            "K": self.K.tolist(),
            "cam_to_world": self.cam_to_world.tolist(),
            "axes": "OpenCV: x right, y down, z forward; world Z up, metres",
        }

    @classmethod
    def from_dict(cls, d: dict) -> "Camera":
        return cls(np.array(d["K"]), np.array(d["cam_to_world"]), d["width"], d["height"])


@dataclass
class CameraRig:
    """The cameras of one frame, by name (a mono rig has one camera, "main")."""

    cameras: dict[str, Camera] = field(default_factory=dict)

    @classmethod
    def mono(cls, camera: Camera) -> "CameraRig":
        return cls({"main": camera})

    @property
    def main(self) -> Camera:
        return next(iter(self.cameras.values()))
