"""NeRF (Blender synthetic / instant-ngp / nerfstudio): ``<uid>/transforms.json`` with
``camera_angle_x`` (horizontal field of view, radians), ``fl_x, fl_y, cx, cy, w, h``, and
``frames[]`` of ``file_path`` (``images/NNN.png``, relative to the json, with the extension)
and ``transform_matrix`` (4x4 camera-to-world, OpenGL/Blender camera axes: x right, y up,
looking along -z); RGBA images with a transparent background."""

from __future__ import annotations

from pathlib import Path

from ..io import write_json
from ..io.png import write_png
from .base import ObjectLayout, ObjectRecord, register_object_layout, rgba8
from .cameras import opengl_camera_to_world


def transforms(rec: ObjectRecord) -> dict:
    cam = rec.cameras[0]
    return {
        "camera_angle_x": cam.hfov, "fl_x": cam.K[0, 0], "fl_y": cam.K[1, 1], "cx": cam.K[0, 2], "cy": cam.K[1, 2],
        "w": cam.width, "h": cam.height, "aabb_scale": 1,
        "frames": [{"file_path": f"images/{k:03d}.png", "transform_matrix": opengl_camera_to_world(c).tolist(),
                    "mask_path": f"gt/{k:03d}_mask.png"} for k, c in enumerate(rec.cameras)],
    }


def write(rec: ObjectRecord, folder: Path) -> None:
    (folder / "images").mkdir(parents=True, exist_ok=True)
    for k, view in enumerate(rec.views):
        write_png(folder / "images" / f"{k:03d}.png", rgba8(view))
    write_json(folder / "transforms.json", transforms(rec))


register_object_layout(ObjectLayout("nerf", "NeRF transforms.json per object (OpenGL camera-to-world), "
                                    "RGBA images, radius 1.5-2.2", (1.5, 2.2), write))
