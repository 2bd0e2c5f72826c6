"""Camera files: our camera.json (OpenCV) and NeRF transforms.json (OpenGL axes)."""

from __future__ import annotations

import numpy as np

from ..core.axes import opencv_to_opengl
from ..core.camera import Camera


def camera_json(camera: Camera) -> dict:
    """K, cam_to_world (OpenCV axes), world_to_cam and resolution."""
    d = camera.to_dict()
    d["world_to_cam"] = camera.world_to_cam.tolist()
    d["hfov_deg"] = float(np.degrees(camera.hfov))
    return d


def nerf_transforms(cameras: list[Camera], file_paths: list[str]) -> dict:
    """NeRF ``transforms.json``: shared intrinsics, per-frame OpenGL camera-to-world."""
    if not cameras:
        raise ValueError("no cameras")
    c0 = cameras[0]
    return {
        "camera_angle_x": c0.hfov,
        "fl_x": float(c0.K[0, 0]), "fl_y": float(c0.K[1, 1]),
        "cx": float(c0.K[0, 2]), "cy": float(c0.K[1, 2]),
        "w": c0.width, "h": c0.height,
        "frames": [{"file_path": p, "transform_matrix": opencv_to_opengl(c.cam_to_world).tolist()}
                   for c, p in zip(cameras, file_paths)],
    }


def read_nerf_transforms(data: dict) -> list[Camera]:
    """Cameras (OpenCV axes) back from a transforms.json dict."""
    w, h = data["w"], data["h"]
    fx = data.get("fl_x", 0.5 * w / np.tan(0.5 * data["camera_angle_x"]))
    K = np.array([[fx, 0, data.get("cx", w / 2)], [0, data.get("fl_y", fx), data.get("cy", h / 2)], [0, 0, 1]])
    return [Camera(K, opencv_to_opengl(np.array(f["transform_matrix"])), w, h) for f in data["frames"]]
