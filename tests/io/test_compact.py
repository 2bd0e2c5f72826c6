"""The compact packing: each quantiser within its stated error bound, sentinels kept, the file reads back."""

import numpy as np

from wildsynth.io.compact import (
    compact_arrays,
    decode_int16,
    decode_log_depth,
    decode_octahedral,
    encode_int16,
    encode_log_depth,
    encode_octahedral,
    read_compact,
    write_compact,
)


def test_log_depth_relative_error_bound_and_sky():
    rng = np.random.default_rng(0)
    z = np.exp(rng.uniform(np.log(0.1), np.log(10000.0), (64, 48))).astype(np.float32)
    z[0, :5] = np.inf
    q, lo, hi = encode_log_depth(z)
    back = decode_log_depth(q, lo, hi)
    ok = np.isfinite(z)
    bound = np.log(hi / lo) / 131068.0
    rel = np.abs(back[ok] / z[ok] - 1.0)
    assert rel.max() <= bound * 1.01 + 1e-7 and rel.max() > bound * 0.2  # the bound is tight, not loose
    assert np.isinf(back[0, :5]).all() and (q[0, :5] == 0).all()


def test_octahedral_normals_angle_error_and_sky():
    rng = np.random.default_rng(1)
    n = rng.normal(size=(40, 30, 3))
    n /= np.linalg.norm(n, axis=-1, keepdims=True)
    n[3, 4] = 0.0
    n[5, 6] = (0.0, 0.0, -1.0)
    back = decode_octahedral(encode_octahedral(n))
    ok = np.linalg.norm(n, axis=-1) > 0
    b = back[ok].astype(np.float64)  # the angle from atan2(|a x b|, a . b): arccos loses it near 1
    ang = np.arctan2(np.linalg.norm(np.cross(b, n[ok]), axis=-1), np.sum(b * n[ok], axis=-1))
    assert ang.max() < 1e-4
    assert (back[3, 4] == 0).all()


def test_int16_flow_step_bound_and_undefined():
    rng = np.random.default_rng(2)
    f = rng.normal(scale=30.0, size=(20, 10, 2)).astype(np.float32)
    f[1, 1] = np.nan
    q, step = encode_int16(f)
    back = decode_int16(q, step)
    ok = np.isfinite(f)
    assert np.abs(back[ok] - f[ok]).max() <= step / 2 + 1e-6
    assert np.isnan(back[1, 1]).all()


def test_compact_file_round_trip(tmp_path):
    rng = np.random.default_rng(3)
    h, w = 17, 23
    depth = rng.uniform(1, 50, (h, w)).astype(np.float32)
    depth[0, 0] = np.inf
    normal = np.dstack([np.zeros((h, w)), np.zeros((h, w)), -np.ones((h, w))]).astype(np.float32)
    flow = rng.normal(size=(h, w, 2)).astype(np.float32)
    valid = rng.random((h, w)) > 0.3
    dz = rng.normal(size=(h, w)).astype(np.float32)
    disp = rng.uniform(0, 40, (h, w)).astype(np.float32)
    write_compact(tmp_path / "c.npz", compact_arrays(depth, normal, {"fwd": (flow, valid, dz)}, disp, disp > 5))
    a = read_compact(tmp_path / "c.npz")
    assert a["depth"].shape == (h, w) and np.isinf(a["depth"][0, 0])
    np.testing.assert_allclose(a["depth"][1:], depth[1:], rtol=1e-4)
    np.testing.assert_array_equal(a["flow_fwd_valid"], valid)
    np.testing.assert_allclose(a["flow_fwd"], flow, atol=np.abs(flow).max() / 32767)
    np.testing.assert_allclose(a["depth_change_fwd"], dz, atol=np.abs(dz).max() / 32767)
    np.testing.assert_allclose(a["disparity"], disp, atol=disp.max() / 65535)
    np.testing.assert_array_equal(a["disparity_valid"], disp > 5)
    np.testing.assert_allclose(a["normal"], normal, atol=1e-6)
