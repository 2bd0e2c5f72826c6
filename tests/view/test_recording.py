"""The recording ``wildsynth view`` serves, read back with rerun-sdk's own dataframe reader: every layer of every
camera and frame, the exact arrays of the run's files, camera poses, and points on the exact depth."""

from __future__ import annotations

import numpy as np
import pytest

from wildsynth.layouts.source import open_run
from wildsynth.params import UserError
from wildsynth.view import select, view_layers, write_recording

pytestmark = pytest.mark.blender  # the session fixture renders a run

LAYERS = {"rgb", "depth", "normals", "semantic", "instance", "flow_fwd", "flow_bwd", "disparity"}


def _recordings(path):
    import rerun.dataframe as rd

    return rd.load_archive(str(path)).all_recordings()


def _column(rec, entity: str, component: str) -> tuple[list[int], list]:
    """(frames, values) of one component column of one entity, on the ``frame`` timeline."""
    t = rec.view(index="frame", contents=entity).select().read_all()
    return t.column("frame").to_pylist(), t.column(f"{entity}:{component}").to_pylist()


def _buffer(value, dtype, shape) -> np.ndarray:
    return np.frombuffer(np.asarray(value[0], np.uint8).tobytes(), dtype).reshape(shape)


def test_every_layer_of_every_camera_and_frame_is_recorded(view_run, view_rrd):
    run = open_run(view_run)
    recs = _recordings(view_rrd)
    assert [r.recording_id() for r in recs] == [run.name]
    entities = {c.entity_path for c in recs[0].schema().component_columns()}
    for cam in ("left", "right"):
        for layer in view_layers(run.view(cam, 0)):
            assert f"/world/camera/{cam}/image/{layer}" in entities
            frames, _ = _column(recs[0], f"/world/camera/{cam}/image/{layer}", "ImageBuffer")
            assert frames == run.frames
        assert f"/world/points/{cam}" in entities and f"/world/trajectory/{cam}" in entities
    assert set(view_layers(run.view("left", 0))) == LAYERS


def test_recorded_rgb_depth_and_disparity_are_the_files(view_run, view_rrd):
    run = open_run(view_run)
    rec = _recordings(view_rrd)[0]
    v = run.view("left", 1)
    h, w = v.camera().height, v.camera().width
    _, rgb = _column(rec, "/world/camera/left/image/rgb", "ImageBuffer")
    assert np.array_equal(_buffer(rgb[1], np.uint8, (h, w, 3)), v.rgb())
    _, depth = _column(rec, "/world/camera/left/image/depth", "ImageBuffer")
    d = v.depth()
    assert np.array_equal(_buffer(depth[1], np.float32, (h, w)), np.where(np.isfinite(d), d, 0).astype(np.float32))
    _, disp = _column(rec, "/world/camera/left/image/disparity", "ImageBuffer")
    assert np.array_equal(_buffer(disp[1], np.float32, (h, w)), v.disparity()[0])
    _, flow = _column(rec, "/values/left/flow_fwd", "TensorData")
    f, _ = v.flow("fwd")
    assert flow[1][0]["shape"] == [h, w, 2]
    got = np.asarray(flow[1][0]["buffer"], np.float32).reshape(h, w, 2)
    assert np.array_equal(got, np.nan_to_num(f, nan=0.0))


def test_camera_poses_and_pinholes_are_the_run_cameras(view_run, view_rrd):
    run = open_run(view_run)
    rec = _recordings(view_rrd)[0]
    for cam in run.cameras:
        frames, t = _column(rec, f"/world/camera/{cam}", "Translation3D")
        _, k = _column(rec, f"/world/camera/{cam}/image", "PinholeProjection")
        for i, f in enumerate(frames):
            c = run.view(cam, f).camera()
            assert np.allclose(t[i][0], c.cam_to_world[:3, 3], atol=1e-5)
            assert np.allclose(np.asarray(k[i][0]).reshape(3, 3).T, c.K, atol=1e-4)  # rerun stores column-major


def test_points_lie_on_the_exact_depth(view_run, view_rrd):
    run = open_run(view_run)
    rec = _recordings(view_rrd)[0]
    frames, pos = _column(rec, "/world/points/left", "Position3D")
    assert frames == run.frames
    for i, f in enumerate(frames):
        v = run.view("left", f)
        cam, depth = v.camera(), v.depth()
        xyz = np.asarray(pos[i], np.float64)
        assert len(xyz) > 100
        w2c = np.linalg.inv(cam.cam_to_world)
        pc = xyz @ w2c[:3, :3].T + w2c[:3, 3]
        u = pc[:, 0] / pc[:, 2] * cam.K[0, 0] + cam.K[0, 2]
        vv = pc[:, 1] / pc[:, 2] * cam.K[1, 1] + cam.K[1, 2]
        assert np.allclose(u % 1, 0.5, atol=1e-3) and np.allclose(vv % 1, 0.5, atol=1e-3)  # pixel centres
        z = depth[vv.astype(int), u.astype(int)]
        assert np.allclose(pc[:, 2], z, rtol=1e-5, atol=1e-5)
        assert pc[:, 2].max() <= 150.0


def test_frame_camera_and_dataset_selections(view_run, view_dataset, tmp_path):
    run = open_run(view_run)
    (one,) = select(view_run / "right" / "000001")
    assert (one.cameras, one.frames) == (["right"], [1])
    (cam,) = select(view_run / "left")
    assert (cam.cameras, cam.frames) == (["left"], run.frames)
    sels = select(view_dataset)
    assert [s.run.name for s in sels] == ["desert_000000", "desert_000001"]
    assert [s.run.name for s in select(view_dataset, max_runs=1)] == ["desert_000000"]
    out = write_recording(sels, tmp_path / "ds.rrd", max_points=500)
    assert [r.recording_id() for r in _recordings(out.path)] == ["desert_000000", "desert_000001"]
    assert out.views == 2 * 2 * len(run.frames) and out.points <= 500 * out.views
    with pytest.raises(UserError, match="not a wildsynth output"):
        select(tmp_path)
