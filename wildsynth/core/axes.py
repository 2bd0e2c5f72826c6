"""Axis conventions, in one place.

World: right-handed, Z up, metres (Blender's). Cameras are stored in OpenCV
axes (x right, y down, z forward). Blender/OpenGL cameras look along -z with
y up: the two differ by negating the camera's y and z axes.
"""

from __future__ import annotations

import numpy as np

# Right-multiplying a camera-to-world matrix by this swaps OpenCV <-> OpenGL camera axes.
CV_TO_GL = np.diag([1.0, -1.0, -1.0, 1.0])


def opencv_to_opengl(cam_to_world: np.ndarray) -> np.ndarray:
    """OpenCV camera-to-world -> OpenGL/Blender camera-to-world (its own inverse)."""
    return np.asarray(cam_to_world, dtype=np.float64) @ CV_TO_GL


opengl_to_opencv = opencv_to_opengl


def look_at(eye: np.ndarray, target: np.ndarray, up: np.ndarray = (0.0, 0.0, 1.0)) -> np.ndarray:
    """OpenCV camera-to-world for a camera at ``eye`` looking at ``target`` (world up +Z)."""
    eye = np.asarray(eye, dtype=np.float64)
    z = np.asarray(target, dtype=np.float64) - eye
    z /= np.linalg.norm(z)
    x = np.cross(z, np.asarray(up, dtype=np.float64))
    if np.linalg.norm(x) < 1e-9:  # looking straight up or down: any right vector works
        x = np.cross(z, np.array([0.0, 1.0, 0.0]))
    x /= np.linalg.norm(x)
    y = np.cross(z, x)
    m = np.eye(4)
    m[:3, 0], m[:3, 1], m[:3, 2], m[:3, 3] = x, y, z, eye
    return m


def yaw_pitch_to_cam(eye: np.ndarray, yaw: float, pitch: float) -> np.ndarray:
    """OpenCV camera-to-world from heading ``yaw`` (radians from +X towards +Y) and
    ``pitch`` (radians, positive looks up), with no roll."""
    d = np.array([np.cos(pitch) * np.cos(yaw), np.cos(pitch) * np.sin(yaw), np.sin(pitch)])
    return look_at(eye, np.asarray(eye, dtype=np.float64) + d)
