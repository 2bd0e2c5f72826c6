"""The novel-view warps on an exact toy scene: the backward warp equals the target render on valid
pixels, the splat equals it where both are valid, the masks are complementary; wrong poses fail."""

import numpy as np

from tests.tasks.synthetic import camera, render
from wildsynth.tasks.warp import make_warps, relative_pose

SRC, DST = camera((6.0, 0.0, 3.0)), camera((5.4, 1.8, 2.6))


def _warps(src=SRC, dst=DST):
    cs, zs, _ = render(src)
    ct, zt, it = render(dst)
    return make_warps(cs, zs, src, zt, dst, it), ct, zt


def test_backward_warp_equals_target_on_valid_pixels():
    w, ct, _ = _warps()
    assert w.valid.mean() > 0.5 and w.occluded.any()  # the sphere hides some ground
    err = np.abs(w.backward[w.valid] - ct[w.valid])
    assert np.median(err) < 2e-3 and np.percentile(err, 99) < 0.03
    assert np.isnan(w.backward[~w.valid]).all()


def test_splat_equals_target_where_both_valid():
    w, ct, zt = _warps()
    both = w.valid & w.splat_valid
    assert both.mean() > 0.4
    err = np.abs(w.splat[both] - ct[both])
    assert np.median(err) < 0.02 and np.percentile(err, 95) < 0.06
    rel = np.abs(w.splat_depth[both] / zt[both] - 1)  # sub-pixel offsets on the grazing ground: a few %
    assert np.median(rel) < 0.01 and np.percentile(rel, 99) < 0.05  # the z-buffer kept the front surface
    assert np.isinf(w.splat_depth[w.hole]).all() and (w.splat[w.hole] == 0).all()


def test_masks_are_complementary():
    w, _, zt = _warps()
    assert (w.valid ^ w.occluded).all() and (w.hole ^ w.splat_valid).all()
    assert not w.valid[np.isinf(zt)].any()  # sky is never valid


def test_wrong_pose_fails():
    src_wrong = camera((6.0, 0.0, 3.0))
    src_wrong.cam_to_world[:3, :3] = src_wrong.cam_to_world[:3, :3].T  # world-to-camera where camera-to-world belongs
    cs, zs, _ = render(SRC)
    ct, zt, it = render(DST)
    w = make_warps(cs, zs, src_wrong, zt, DST, it)
    ok = w.valid
    assert not ok.any() or np.median(np.abs(w.backward[ok] - ct[ok])) > 0.03


def test_identity_and_relative_pose():
    w, ct, _ = _warps(SRC, SRC)
    cs, _, _ = render(SRC)
    assert np.allclose(w.backward[w.valid], cs[w.valid], atol=1e-5)
    assert np.allclose(w.splat[w.splat_valid], cs[w.splat_valid], atol=1e-6)
    T = relative_pose(SRC, DST)
    p = np.array([0.3, -0.2, 4.0, 1.0])  # a point in source camera axes
    world = SRC.cam_to_world @ p
    assert np.allclose(T @ p, DST.world_to_cam @ world)
