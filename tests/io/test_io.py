import json

import numpy as np
import pytest

from wildsynth.core import Camera, yaw_pitch_to_cam
from wildsynth.io import atomic_path, read_exr, read_json, read_png, write_exr, write_json, write_png
from wildsynth.io.cameras import nerf_transforms, read_nerf_transforms
from wildsynth.io.ids import read_id_png, write_id_png


def test_exr_roundtrip_keeps_float32_and_inf(tmp_path):
    z = np.random.default_rng(0).random((7, 9)).astype(np.float32)
    z[0, 0] = np.inf
    n = np.random.default_rng(1).random((7, 9, 3)).astype(np.float32)
    write_exr(tmp_path / "a.exr", {"Z": z, "X": n[..., 0], "Y": n[..., 1]})
    back = read_exr(tmp_path / "a.exr")
    assert back["Z"].dtype == np.float32 and np.array_equal(back["Z"], z)
    assert np.array_equal(back["X"], n[..., 0])
    write_exr(tmp_path / "b.exr", n)
    assert np.array_equal(read_exr(tmp_path / "b.exr")["RGB"], n)
    with pytest.raises(ValueError):
        write_exr(tmp_path / "c.exr", {"Z": z, "W": np.zeros((3, 3))})


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16])
def test_png_roundtrip(tmp_path, dtype):
    a = (np.random.default_rng(0).random((5, 6, 3)) * np.iinfo(dtype).max).astype(dtype)
    write_png(tmp_path / "a.png", a)
    b = read_png(tmp_path / "a.png")
    assert b.dtype == dtype and np.array_equal(a, b)


@pytest.mark.parametrize("top", [70000, 2**32 - 1])
def test_id_png_roundtrip_small_and_large(tmp_path, top):
    ids = np.array([[0, 1, 2], [65535, 40000, top]], dtype=np.uint32)
    write_id_png(tmp_path / "small.png", ids[:1])
    assert np.array_equal(read_id_png(tmp_path / "small.png"), ids[:1])
    write_id_png(tmp_path / "large.png", ids)
    assert np.array_equal(read_id_png(tmp_path / "large.png"), ids)


def test_atomic_write_leaves_nothing_on_failure(tmp_path):
    target = tmp_path / "x.json"
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            tmp.write_text("half")
            raise RuntimeError("interrupted")
    assert list(tmp_path.iterdir()) == []
    write_json(target, {"a": np.arange(3), "b": np.float32(1.5)})
    assert read_json(target) == {"a": [0, 1, 2], "b": 1.5}


def test_nerf_transforms_roundtrip():
    cam = Camera.from_hfov(64, 48, 70.0, yaw_pitch_to_cam([1, 2, 3], 0.3, -0.2))
    d = json.loads(json.dumps(nerf_transforms([cam], ["image.png"])))
    assert np.isclose(d["camera_angle_x"], np.radians(70.0))
    gl = np.array(d["frames"][0]["transform_matrix"])
    assert np.allclose(gl[:3, 2], -cam.cam_to_world[:3, 2])  # OpenGL looks along -z
    back = read_nerf_transforms(d)[0]
    assert np.allclose(back.cam_to_world, cam.cam_to_world) and np.allclose(back.K, cam.K)
