"""A flat still (written with our own writers, no render) as a recording: only the layers it holds, exact
values, points on the depth; fast lane."""

from __future__ import annotations

import json

import numpy as np

from wildsynth.core.axes import look_at
from wildsynth.core.camera import Camera
from wildsynth.io import write_exr, write_png
from wildsynth.io.cameras import camera_json
from wildsynth.io.ids import write_id_png
from wildsynth.view import select, view_layers, write_recording


def _still(root):
    rng = np.random.default_rng(2)
    root.mkdir()
    cam = Camera(np.array([[20.0, 0, 8], [0, 20, 6], [0, 0, 1]]), look_at(np.array([0.0, -5, 1]),
                                                                         np.array([0.0, 0, 1])), 16, 12)
    depth = rng.uniform(1.0, 400.0, (12, 16)).astype(np.float32)
    depth[:3] = np.inf
    write_png(root / "image.png", rng.integers(0, 255, (12, 16, 3), dtype=np.uint8))
    write_exr(root / "depth.exr", {"Z": depth})
    write_id_png(root / "instance.png", rng.integers(0, 5, (12, 16)).astype(np.uint32))
    write_png(root / "semantic.png", rng.integers(0, 7, (12, 16)).astype(np.uint8))
    (root / "camera.json").write_text(json.dumps(camera_json(cam)))
    (root / "frame.json").write_text(json.dumps({"frame": 0, "time": 0.0, "camera_name": "main"}))
    (root / "scene.json").write_text(json.dumps({"shot": {"cameras": ["main"], "rig": "mono"}}))
    return root, cam, depth


def test_still_records_its_layers_exactly(tmp_path):
    import rerun.dataframe as rd

    root, cam, depth = _still(tmp_path / "still")
    (sel,) = select(root)
    assert (sel.cameras, sel.frames) == (["main"], [0])
    assert view_layers(sel.run.view("main", 0)) == ["rgb", "depth", "semantic", "instance"]
    out = write_recording([sel], tmp_path / "still.rrd", max_points=1000, max_depth=200.0)
    assert out.layers == {"main": ["rgb", "depth", "semantic", "instance"]} and out.views == 1
    (rec,) = rd.load_archive(str(out.path)).all_recordings()
    entities = {c.entity_path for c in rec.schema().component_columns()}
    assert "/world/camera/main/image/flow_fwd" not in entities and "/world/trajectory/main" not in entities
    t = rec.view(index="frame", contents="/world/camera/main/image/depth").select().read_all()
    got = np.frombuffer(np.asarray(t.column("/world/camera/main/image/depth:ImageBuffer").to_pylist()[0][0],
                                   np.uint8).tobytes(), np.float32).reshape(12, 16)
    assert np.array_equal(got, np.where(np.isfinite(depth), depth, 0))
    t = rec.view(index="frame", contents="/world/points/main").select().read_all()
    xyz = np.asarray(t.column("/world/points/main:Position3D").to_pylist()[0], np.float64)
    ok = np.isfinite(depth) & (depth <= 200.0)
    assert len(xyz) == ok.sum()  # every pixel with a surface nearer than max_depth, no more
    pc = (xyz - cam.cam_to_world[:3, 3]) @ cam.cam_to_world[:3, :3]
    u = (pc[:, 0] / pc[:, 2] * cam.K[0, 0] + cam.K[0, 2]).astype(int)
    v = (pc[:, 1] / pc[:, 2] * cam.K[1, 1] + cam.K[1, 2]).astype(int)
    assert np.allclose(pc[:, 2], depth[v, u], rtol=1e-5)
