"""Round trips for the sequence formats: .flo, KITTI flow/disparity, PFM, EXR flow, COCO panoptic,
NeRF transforms.json and COLMAP text."""

import struct

import numpy as np
import pytest

from wildsynth.core import Camera, look_at
from wildsynth.io import read_exr, write_exr
from wildsynth.io.cameras import nerf_transforms, read_nerf_transforms
from wildsynth.io.coco import (
    decode_segments,
    encode_segments,
    read_panoptic_json,
    read_panoptic_png,
    write_panoptic_json,
    write_panoptic_png,
)
from wildsynth.io.colmap import quaternion_to_rotation, read_colmap, rotation_to_quaternion, write_colmap
from wildsynth.io.flo import read_flo, write_flo
from wildsynth.io.kitti import read_disparity_kitti, read_flow_kitti, write_disparity_kitti, write_flow_kitti
from wildsynth.io.pfm import read_pfm, write_pfm

rng = np.random.default_rng(0)


def test_flo_round_trip_and_layout(tmp_path):
    flow = rng.normal(0, 20, (5, 7, 2)).astype(np.float32)
    valid = rng.uniform(size=(5, 7)) > 0.2
    p = tmp_path / "a.flo"
    write_flo(p, flow, valid)
    raw = p.read_bytes()
    assert raw[:4] == b"PIEH" and struct.unpack("<ii", raw[4:12]) == (7, 5)
    assert len(raw) == 12 + 5 * 7 * 8
    # first pixel's (u, v) come first, interleaved
    u0, v0 = struct.unpack("<ff", raw[12:20])
    if valid[0, 0]:
        assert (u0, v0) == (flow[0, 0, 0], flow[0, 0, 1])
    back, ok = read_flo(p)
    assert np.array_equal(ok, valid)
    assert np.array_equal(back[valid], flow[valid]) and np.all(np.isnan(back[~valid]))
    unknown = np.frombuffer(raw[12:], "<f4").reshape(5, 7, 2)[~valid]
    assert np.all(unknown == 1e10)


def test_flo_rejects_bad_files(tmp_path):
    p = tmp_path / "bad.flo"
    p.write_bytes(b"XXXX" + struct.pack("<ii", 2, 2) + b"\0" * 32)
    with pytest.raises(ValueError, match="not a .flo"):
        read_flo(p)
    p.write_bytes(b"PIEH" + struct.pack("<ii", 4, 4) + b"\0" * 8)
    with pytest.raises(ValueError, match="truncated"):
        read_flo(p)


def test_kitti_flow_and_disparity_precision(tmp_path):
    flow = rng.uniform(-300, 300, (6, 9, 2)).astype(np.float32)
    valid = rng.uniform(size=(6, 9)) > 0.3
    write_flow_kitti(tmp_path / "f.png", flow, valid)
    f, v = read_flow_kitti(tmp_path / "f.png")
    assert np.array_equal(v, valid) and np.max(np.abs(f[valid] - flow[valid])) <= 1 / 128
    disp = rng.uniform(0.5, 200, (6, 9)).astype(np.float32)
    write_disparity_kitti(tmp_path / "d.png", disp, valid)
    d, dv = read_disparity_kitti(tmp_path / "d.png")
    assert np.array_equal(dv, valid) and np.max(np.abs(d[valid] - disp[valid])) <= 1 / 512


def test_pfm_and_exr_flow_round_trip(tmp_path):
    f3 = rng.normal(size=(4, 5, 3)).astype(np.float32)
    write_pfm(tmp_path / "f.pfm", f3)
    assert np.array_equal(read_pfm(tmp_path / "f.pfm"), f3)
    d = rng.uniform(1, 50, (4, 5)).astype(np.float32)
    d[0, 0] = np.inf
    write_pfm(tmp_path / "d.pfm", d)
    assert np.array_equal(read_pfm(tmp_path / "d.pfm"), d)
    write_exr(tmp_path / "flow.exr", {"U": f3[..., 0], "V": f3[..., 1], "valid": (f3[..., 2] > 0).astype(np.float32)})
    back = read_exr(tmp_path / "flow.exr", separate=True)
    assert set(back) == {"U", "V", "valid"} and np.array_equal(back["U"], f3[..., 0])


def test_coco_panoptic_round_trip(tmp_path):
    seg = rng.integers(0, 1 << 24, (6, 8)).astype(np.uint32)
    rgb = encode_segments(seg)
    assert rgb.dtype == np.uint8 and np.array_equal(decode_segments(rgb), seg)
    assert list(encode_segments(np.array([[1 + 256 * 2 + 65536 * 3]]))[0, 0]) == [1, 2, 3]
    write_panoptic_png(tmp_path / "p.png", seg)
    assert np.array_equal(read_panoptic_png(tmp_path / "p.png"), seg)
    with pytest.raises(ValueError):
        encode_segments(np.array([[1 << 24]]))
    cats = [{"id": 1, "name": "terrain", "supercategory": "ground", "isthing": 0}]
    anns = [{"image_id": 0, "file_name": "p.png", "segments_info": [{"id": 5, "category_id": 1, "area": 3,
                                                                    "bbox": [0, 0, 1, 3], "iscrowd": 0}]}]
    write_panoptic_json(tmp_path / "p.json", [{"id": 0, "file_name": "i.png", "width": 8, "height": 6}], anns, cats)
    data = read_panoptic_json(tmp_path / "p.json")
    assert data["annotations"] == anns and data["categories"] == cats


def _cams():
    out = []
    for k in range(4):
        eye = rng.normal(0, 5, 3)
        K = np.array([[100.0 + k, 0, 40.5], [0, 100.0 + k % 2, 30.25], [0, 0, 1]])
        out.append(Camera(K, look_at(eye, eye + rng.normal(size=3)), 80, 60))
    return out


def test_colmap_round_trip(tmp_path):
    cams = _cams()
    write_colmap(tmp_path, cams, [f"img{k}.png" for k in range(4)])
    back, names = read_colmap(tmp_path)
    assert names == [f"img{k}.png" for k in range(4)]
    for a, b in zip(cams, back):
        assert np.allclose(a.K, b.K) and np.allclose(a.cam_to_world, b.cam_to_world, atol=1e-9)
    first = [ln for ln in (tmp_path / "images.txt").read_text().splitlines() if not ln.startswith("#")][0].split()
    q, t = np.array(first[1:5], float), np.array(first[5:8], float)
    w2c = cams[0].world_to_cam  # images.txt holds world-to-camera
    assert np.allclose(quaternion_to_rotation(q), w2c[:3, :3]) and np.allclose(t, w2c[:3, 3])
    assert "PINHOLE 80 60 100.0 100.0 40.5 30.25" in (tmp_path / "cameras.txt").read_text()


def test_quaternion_branches():
    for _ in range(200):
        q = rng.normal(size=4)
        q /= np.linalg.norm(q)
        r = quaternion_to_rotation(q)
        q2 = rotation_to_quaternion(r)
        assert np.allclose(q2, q * np.sign(q[0]), atol=1e-9)
    for r in (np.diag([1, -1, -1.0]), np.diag([-1, 1, -1.0]), np.diag([-1, -1, 1.0])):
        assert np.allclose(quaternion_to_rotation(rotation_to_quaternion(r)), r)


def test_nerf_transforms_round_trip_opengl_axes():
    cams = _cams()[:1]
    d = nerf_transforms(cams, ["a.png"])
    m = np.array(d["frames"][0]["transform_matrix"])
    # OpenGL: the camera looks along -z, so column 2 is minus the OpenCV forward axis
    assert np.allclose(m[:3, 2], -cams[0].cam_to_world[:3, 2]) and np.allclose(m[:3, 3], cams[0].position)
    back = read_nerf_transforms(d)[0]
    assert np.allclose(back.cam_to_world, cams[0].cam_to_world)
