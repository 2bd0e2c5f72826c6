"""Layout file formats and value conventions, without rendering: round trips and edge cases."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from wildsynth.core.axes import look_at
from wildsynth.core.camera import Camera
from wildsynth.layouts import LAYOUTS
from wildsynth.layouts.base import layout_params
from wildsynth.layouts.colmap import read_model_bin, write_model
from wildsynth.layouts.flyingthings3d import flow_pfm
from wildsynth.layouts.kitti2015 import FLOW_MAX, disparity_validity, flow_validity
from wildsynth.layouts.nerfstudio import depth_scale, encode_depth, holdout
from wildsynth.layouts.points import Points, read_ply, write_ply
from wildsynth.layouts.sintel import flow_masks, read_cam, read_dpt, write_cam, write_dpt
from wildsynth.params import UserError


def test_registry_has_every_layout_with_params():
    assert {"sintel", "flyingthings3d", "kitti2015", "nerfstudio", "colmap"} <= set(LAYOUTS)
    for name in LAYOUTS:
        layout_params(name)  # defaults validate
    with pytest.raises(UserError, match="test_every"):
        layout_params("flyingthings3d", ["test_every=-1"])


def test_dpt_and_cam_round_trip_sintel_sdk_layout(tmp_path):
    depth = np.array([[1.5, np.inf], [2.0, 3.25]], np.float32)
    write_dpt(tmp_path / "a.dpt", depth)
    raw = (tmp_path / "a.dpt").read_bytes()
    assert raw[:4] == b"PIEH" and np.frombuffer(raw[4:12], "<i4").tolist() == [2, 2]  # tag, width, height
    np.testing.assert_array_equal(read_dpt(tmp_path / "a.dpt"), [[1.5, 0.0], [2.0, 3.25]])  # sky -> 0
    K = np.array([[50.0, 0, 16], [0, 50, 12], [0, 0, 1]])
    w2c = np.linalg.inv(look_at([1, 2, 3], [4, 5, 3]))
    write_cam(tmp_path / "a.cam", K, w2c)
    assert (tmp_path / "a.cam").read_bytes()[:4] == b"PIEH" and (tmp_path / "a.cam").stat().st_size == 4 + 21 * 8
    k2, n2 = read_cam(tmp_path / "a.cam")
    np.testing.assert_array_equal(k2, K)
    np.testing.assert_array_equal(n2, w2c[:3])


def test_sintel_masks_partition_our_validity():
    flow = np.zeros((2, 3, 2), np.float32)
    flow[0, 1] = np.nan  # behind the next camera
    depth = np.array([[1.0, 1.0, np.inf], [2.0, 2.0, 2.0]], np.float32)  # (0, 2) sky
    visible = np.array([[True, False, False], [False, True, True]])
    f, invalid, occluded = flow_masks(flow, visible, depth)
    assert np.isfinite(f).all() and f[0, 1].tolist() == [1e10, 1e10]
    np.testing.assert_array_equal(invalid, [[False, True, True], [False, False, False]])
    np.testing.assert_array_equal(occluded, [[False, False, False], [True, False, False]])
    np.testing.assert_array_equal(~invalid & ~occluded, visible)


def test_flow_pfm_never_non_finite():
    flow = np.array([[[1.0, np.inf], [np.nan, 2.0], [3.0, -4.0]]], np.float32)
    out = flow_pfm(flow)
    assert out.shape == (1, 3, 3) and np.isfinite(out).all()
    assert out[0, 2].tolist() == [3.0, -4.0, 0.0] and (out[0, :2, :2] == 1e10).all()


def test_kitti_validity_occ_noc_and_range():
    flow = np.array([[[1.0, 2.0], [FLOW_MAX + 1, 0.0], [np.nan, 0.0], [0.5, 0.5]]], np.float32)
    depth = np.array([[1.0, 1.0, 1.0, np.inf]], np.float32)
    visible = np.array([[False, True, True, True]])
    occ, noc = flow_validity(flow, visible, depth)
    assert occ.tolist() == [[True, False, False, False]]  # occluded counts in occ; out of range, undefined, sky not
    assert noc.tolist() == [[False, False, False, False]]
    occ_d, noc_d = disparity_validity(np.array([0.0, 3.0, 300.0]), np.array([True, False, True]))
    assert occ_d.tolist() == [False, True, False] and noc_d.tolist() == [False, False, False]


def test_nerfstudio_depth_scale_and_holdout():
    assert depth_scale(50.0) == 1e-3 and depth_scale(65.5) == 1e-3 and depth_scale(70.0) == 1e-2
    assert depth_scale(5000.0) == 0.1
    enc = encode_depth(np.array([[1.2345, np.inf, 0.00001]]), 1e-3)
    assert enc.dtype == np.uint16 and enc[0, 0] in (1234, 1235)
    assert enc[0, 1] == 0 and enc[0, 2] == 1  # sky 0 (= no depth); a tiny depth stays valid
    assert holdout(10, 4).tolist() == [False, False, False, True] * 2 + [False, False]
    assert not holdout(5, 0).any()


def test_ply_round_trip(tmp_path):
    xyz = np.array([[1.0, 2.0, 3.0], [-4.0, 5.5, 0.25]])
    rgb = np.array([[255, 0, 10], [1, 2, 3]], np.uint8)
    normal = np.array([[0, 0, 1], [1, 0, 0]], np.float32)
    write_ply(tmp_path / "p.ply", xyz, rgb, normal)
    head = (tmp_path / "p.ply").read_bytes()[:200]
    assert b"format binary_little_endian 1.0" in head and b"element vertex 2" in head
    x2, c2, n2 = read_ply(tmp_path / "p.ply")
    np.testing.assert_array_equal(x2, xyz.astype(np.float32))
    np.testing.assert_array_equal(c2, rgb)
    np.testing.assert_array_equal(n2, normal)


def test_colmap_model_binary_equals_text_and_tracks_point_back(tmp_path):
    K = np.array([[40.0, 0, 20], [0, 40, 15], [0, 0, 1]])
    cams = [Camera(K, look_at([0, -5, 1], [0, 0, 1]), 40, 30), Camera(K, look_at([1, -5, 1], [1, 0, 1]), 40, 30)]
    xyz = np.array([[0.0, 0.0, 1.0], [1.0, 0.0, 1.2], [0.5, 1.0, 0.8]])
    img = np.array([1, 0, 1])
    uv = np.stack([cams[i].project(xyz[k:k + 1])[0][0] for k, i in enumerate(img)])
    pts = Points(xyz, np.array([[1, 2, 3], [4, 5, 6], [7, 8, 9]], np.uint8), np.zeros((3, 3), np.float32), img, uv)
    write_model(tmp_path, cams, ["a.png", "b.png"], pts)
    m = read_model_bin(tmp_path)
    assert list(m["cameras"]) == [1] and [i[2] for i in m["images"]] == ["a.png", "b.png"]
    for (iid, cam, name, xy, ids), ref in zip(m["images"], cams):
        np.testing.assert_allclose(cam.cam_to_world, ref.cam_to_world, atol=1e-12)
    np.testing.assert_allclose(m["xyz"], xyz)
    for p, track in enumerate(m["tracks"]):
        image_id, idx = track[0]
        _, _, _, xy, ids = m["images"][image_id - 1]
        assert ids[idx] == m["ids"][p]
        np.testing.assert_allclose(xy[idx], uv[p])
    text = (tmp_path / "points3D.txt").read_text().splitlines()
    assert sum(1 for t in text if t and not t.startswith("#")) == 3
    import pycolmap

    rec = pycolmap.Reconstruction(str(tmp_path))
    assert len(rec.points3D) == 3 and len(rec.images) == 2


def _synthetic_run(root, frames=2):
    """A finished mono shot written with our own writers (no render): image, depth, normals, camera, frame.json."""
    import json

    from wildsynth.io import write_exr, write_png
    from wildsynth.io.cameras import camera_json

    cam = Camera(np.array([[20.0, 0, 8], [0, 20, 6], [0, 0, 1]]), look_at([0, -5, 1], [0, 0, 1]), 16, 12)
    rng = np.random.default_rng(0)
    for f in range(frames):
        v = root / "main" / f"{f:06d}"
        v.mkdir(parents=True)
        depth = rng.uniform(0.5, 900.0, (12, 16)).astype(np.float32)
        depth[:3] = np.inf  # sky
        write_png(v / "image.png", rng.integers(0, 255, (12, 16, 3), dtype=np.uint8))
        write_exr(v / "depth.exr", {"Z": depth})
        n = rng.normal(size=(12, 16, 3)).astype(np.float32)
        write_exr(v / "normal.exr", {"X": n[..., 0], "Y": n[..., 1], "Z": n[..., 2]})
        (v / "camera.json").write_text(json.dumps(camera_json(cam)))
        (v / "frame.json").write_text(json.dumps({"frame": f, "camera_name": "main"}))
    (root / "scene.json").write_text(json.dumps({"shot": {"cameras": ["main"], "rig": "mono"}}))
    return root


def test_depth_list_vkitti2_centimetres(tmp_path):
    # Depth Anything V2 metric fine-tuning (metric_depth/dataset/vkitti2.py) reads each line as "image depth" and
    # the depth PNG unchanged (uint16) / 100 = metres: the spec this test reads by
    from PIL import Image

    from wildsynth.layouts import export_layout, open_run

    src = _synthetic_run(tmp_path / "run")
    out = tmp_path / "dl"
    rep = export_layout(src, "depth-list", out, ["val_every=2"])
    assert rep.summary == {"images": 2, "train": 1, "val": 1, "normals": 2}
    lines = (out / "train.txt").read_text().splitlines() + (out / "val.txt").read_text().splitlines()
    run = open_run(src)
    for line, f in zip(lines, (0, 1)):
        img, dep = line.split(" ")
        v = run.view("main", f)
        np.testing.assert_array_equal(np.asarray(Image.open(out / img)), v.rgb())
        d = np.asarray(Image.open(out / dep)).astype(np.float64) / 100.0
        z = v.depth().astype(np.float64)
        ok = np.isfinite(z) & (z <= 655.35)
        assert (np.abs(d[ok] - z[ok]) <= 0.005 + 1e-9).all()
        assert (d[~ok] == 0).all() and (~ok).sum() > 3 * 16  # sky and beyond 16 bits of centimetres
        normal = np.load(out / "normals" / (Path(img).stem + ".npy"))
        assert normal.shape == (12, 16, 3) and normal.dtype == np.float32
