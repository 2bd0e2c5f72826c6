"""COLMAP text model: ``cameras.txt`` and ``images.txt`` (and an empty ``points3D.txt``).

cameras.txt: ``CAMERA_ID MODEL WIDTH HEIGHT PARAMS``; we write PINHOLE
(fx fy cx cy). images.txt: ``IMAGE_ID QW QX QY QZ TX TY TZ CAMERA_ID NAME``
per image, world-to-camera (Hamilton quaternion, w first), OpenCV camera axes,
followed by one (empty) line of 2D points. COLMAP's pixel convention matches
ours (origin at the top-left corner of the top-left pixel).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from ..core.camera import Camera
from .atomic import atomic_path


def rotation_to_quaternion(r: np.ndarray) -> np.ndarray:
    """3x3 rotation -> unit quaternion (w, x, y, z) with w >= 0."""
    r = np.asarray(r, dtype=np.float64)
    t = np.trace(r)
    if t > 0:
        s = np.sqrt(t + 1.0) * 2
        q = [0.25 * s, (r[2, 1] - r[1, 2]) / s, (r[0, 2] - r[2, 0]) / s, (r[1, 0] - r[0, 1]) / s]
    elif r[0, 0] > r[1, 1] and r[0, 0] > r[2, 2]:
        s = np.sqrt(1.0 + r[0, 0] - r[1, 1] - r[2, 2]) * 2
        q = [(r[2, 1] - r[1, 2]) / s, 0.25 * s, (r[0, 1] + r[1, 0]) / s, (r[0, 2] + r[2, 0]) / s]
    elif r[1, 1] > r[2, 2]:
        s = np.sqrt(1.0 + r[1, 1] - r[0, 0] - r[2, 2]) * 2
        q = [(r[0, 2] - r[2, 0]) / s, (r[0, 1] + r[1, 0]) / s, 0.25 * s, (r[1, 2] + r[2, 1]) / s]
    else:
        s = np.sqrt(1.0 + r[2, 2] - r[0, 0] - r[1, 1]) * 2
        q = [(r[1, 0] - r[0, 1]) / s, (r[0, 2] + r[2, 0]) / s, (r[1, 2] + r[2, 1]) / s, 0.25 * s]
    q = np.array(q)
    q /= np.linalg.norm(q)
    return -q if q[0] < 0 else q


def quaternion_to_rotation(q: np.ndarray) -> np.ndarray:
    w, x, y, z = np.asarray(q, dtype=np.float64) / np.linalg.norm(q)
    return np.array([[1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
                     [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
                     [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)]])


def write_colmap(folder: str | os.PathLike, cameras: list[Camera], names: list[str]) -> None:
    """One COLMAP camera per distinct (K, size), one image per camera pose."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    intrinsics: dict[tuple, int] = {}
    cam_lines, img_lines = [], []
    for k, (cam, name) in enumerate(zip(cameras, names)):
        if " " in name:
            raise ValueError(f"COLMAP image names cannot contain spaces: {name!r}")
        key = (cam.width, cam.height, *np.round(cam.K[[0, 1, 0, 1], [0, 1, 2, 2]], 9))
        if key not in intrinsics:
            intrinsics[key] = len(intrinsics) + 1
            fx, fy, cx, cy = cam.K[0, 0], cam.K[1, 1], cam.K[0, 2], cam.K[1, 2]
            cam_lines.append(f"{intrinsics[key]} PINHOLE {cam.width} {cam.height} {fx!r} {fy!r} {cx!r} {cy!r}")
        w2c = cam.world_to_cam
        q = rotation_to_quaternion(w2c[:3, :3])
        t = w2c[:3, 3]
        img_lines.append(f"{k + 1} {' '.join(repr(float(x)) for x in q)} {' '.join(repr(float(x)) for x in t)} "
                         f"{intrinsics[key]} {name}")
        img_lines.append("")
    with atomic_path(folder / "cameras.txt") as tmp:
        tmp.write_text("# Camera list with one line of data per camera:\n"
                       "#   CAMERA_ID, MODEL, WIDTH, HEIGHT, PARAMS[]\n"
                       f"# Number of cameras: {len(cam_lines)}\n" + "\n".join(cam_lines) + "\n")
    with atomic_path(folder / "images.txt") as tmp:
        tmp.write_text("# Image list with two lines of data per image:\n"
                       "#   IMAGE_ID, QW, QX, QY, QZ, TX, TY, TZ, CAMERA_ID, NAME\n"
                       "#   POINTS2D[] as (X, Y, POINT3D_ID)\n"
                       f"# Number of images: {len(names)}\n" + "\n".join(img_lines) + "\n")
    with atomic_path(folder / "points3D.txt") as tmp:
        tmp.write_text("# 3D point list (empty: poses are known, no triangulated points)\n")


def read_colmap(folder: str | os.PathLike) -> tuple[list[Camera], list[str]]:
    """Cameras (OpenCV axes) and image names back, in images.txt order."""
    folder = Path(folder)
    intr = {}
    for line in (folder / "cameras.txt").read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split()
        cid, model, w, h = int(parts[0]), parts[1], int(parts[2]), int(parts[3])
        p = [float(x) for x in parts[4:]]
        if model == "PINHOLE":
            fx, fy, cx, cy = p
        elif model in ("SIMPLE_PINHOLE", "SIMPLE_RADIAL"):
            fx = fy = p[0]
            cx, cy = p[1], p[2]
        else:
            raise ValueError(f"{folder / 'cameras.txt'}: camera model {model} not supported")
        intr[cid] = (np.array([[fx, 0, cx], [0, fy, cy], [0, 0, 1.0]]), w, h)
    cams, names = [], []
    lines = [ln for ln in (folder / "images.txt").read_text().splitlines() if not ln.startswith("#")]
    k = 0
    while k < len(lines):
        if not lines[k].strip():
            k += 1
            continue
        parts = lines[k].split()
        q = np.array([float(x) for x in parts[1:5]])
        t = np.array([float(x) for x in parts[5:8]])
        K, w, h = intr[int(parts[8])]
        w2c = np.eye(4)
        w2c[:3, :3], w2c[:3, 3] = quaternion_to_rotation(q), t
        cams.append(Camera(K.copy(), np.linalg.inv(w2c), w, h))
        names.append(parts[9])
        k += 2  # skip the points line
    return cams, names
