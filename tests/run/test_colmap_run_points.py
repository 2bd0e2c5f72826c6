"""The run-level ``colmap/`` (format ``colmap``) holds real points3D sampled from the exact depth of the written
views, not an empty file, so 3DGS started from it has Gaussians; without float depth it stays empty. Views are
written with our own writers (no render); the model is read back by pycolmap and by our reader."""

from __future__ import annotations

import json

import numpy as np

from wildsynth.core.axes import look_at
from wildsynth.core.camera import Camera
from wildsynth.io import write_exr, write_png
from wildsynth.io.cameras import camera_json
from wildsynth.io.colmap import read_colmap
from wildsynth.io.ids import write_id_png
from wildsynth.layouts.source import View
from wildsynth.run import FORMATS
from wildsynth.run.writer import WrittenView, staging


def _views(root, with_depth=True):
    rng = np.random.default_rng(1)
    views = []
    for f, eye in enumerate(([0.0, -5, 1], [0.5, -5, 1])):
        cam = Camera(np.array([[20.0, 0, 8], [0, 20, 6], [0, 0, 1]]), look_at(np.array(eye), np.array([0.0, 0, 1])),
                     16, 12)
        rel = f"main/{f:06d}/"
        v = root / rel
        v.mkdir(parents=True)
        depth = rng.uniform(1.0, 20.0, (12, 16)).astype(np.float32)
        depth[:2] = np.inf  # sky
        write_png(v / "image.png", rng.integers(0, 255, (12, 16, 3), dtype=np.uint8))
        write_id_png(v / "instance.png", np.ones((12, 16), np.uint32))
        if with_depth:
            write_exr(v / "depth.exr", {"Z": depth})
        (v / "camera.json").write_text(json.dumps(camera_json(cam)))
        views.append(WrittenView("main", f, rel, cam, 16, 12, []))
    return views


def _colmap(root, views):
    with staging(root) as stage:
        assert FORMATS["colmap"].run(stage, views, []) == ["colmap"]
        (stage / "colmap").rename(root / "colmap")
    return root / "colmap"


def test_run_colmap_points3d_lie_on_the_exact_depth(tmp_path):
    import pycolmap

    views = _views(tmp_path)
    folder = _colmap(tmp_path, views)
    cams, names = read_colmap(folder)
    assert names == ["main_000000_image.png", "main_000001_image.png"]
    rec = pycolmap.Reconstruction(str(folder))
    assert len(rec.images) == 2 and len(rec.points3D) == 2 * 10 * 16  # every non-sky pixel of both views
    for p in list(rec.points3D.values())[::7]:
        el = p.track.elements[0]
        img = rec.images[el.image_id]
        cam = views[el.image_id - 1].camera
        w2c = np.linalg.inv(cam.cam_to_world)
        pc = w2c[:3, :3] @ np.asarray(p.xyz) + w2c[:3, 3]
        u, v = img.points2D[el.point2D_idx].xy
        z = View(tmp_path / views[el.image_id - 1].rel, "main", el.image_id - 1).depth()[int(v), int(u)]
        assert abs(pc[2] - z) < 1e-4 * z


def test_run_colmap_without_float_depth_has_no_points(tmp_path):
    folder = _colmap(tmp_path, _views(tmp_path, with_depth=False))
    lines = [ln for ln in (folder / "points3D.txt").read_text().splitlines() if ln and not ln.startswith("#")]
    assert lines == [] and len(read_colmap(folder)[1]) == 2
