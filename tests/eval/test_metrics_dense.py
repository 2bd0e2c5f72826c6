"""Closed-form checks of the dense (per-pixel) metrics: depth, normals, PSNR, SSIM."""

from __future__ import annotations

import numpy as np
import pytest

from wildsynth.eval.depth import depth_metrics
from wildsynth.eval.images import image_metrics, psnr, ssim
from wildsynth.eval.normals import normal_metrics


def _depth(seed=0, shape=(48, 64)):
    rng = np.random.default_rng(seed)
    gt = rng.uniform(1.0, 50.0, shape)
    gt[:5] = np.inf  # sky
    return gt


def test_scale_and_shift_of_depth_are_recovered_by_alignment():
    gt = _depth()
    pred = 0.37 * gt + 2.5
    m = depth_metrics(pred, gt)
    assert m["valid_pixels"] == 43 * 64
    assert m["none"]["abs_rel"] > 0.3
    assert m["scale"]["abs_rel"] > 1e-3  # a shift cannot be taken up by a scale
    assert m["scale_shift"]["abs_rel"] < 1e-10 and m["scale_shift"]["delta1"] == 1.0
    assert m["scale_shift"]["fit"] == pytest.approx({"space": "depth", "scale": 1 / 0.37, "shift": -2.5 / 0.37})


def test_pure_scale_is_recovered_by_scale_alone():
    gt = _depth(1)
    m = depth_metrics(4.0 * gt, gt)
    assert m["none"]["abs_rel"] == pytest.approx(3.0)
    assert m["scale"]["abs_rel"] < 1e-12 and m["scale"]["rmse"] < 1e-9


def test_affine_disparity_is_aligned_in_disparity_space():
    gt = _depth(2)
    disp = 2.0 / gt + 0.05  # MiDaS-like: affine in inverse depth
    m = depth_metrics(disp, gt, pred_kind="disparity")
    assert m["scale_shift"]["abs_rel"] < 1e-9 and m["scale_shift"]["fit"]["space"] == "disparity"
    assert m["none"]["abs_rel"] > 0.5
    # the same prediction aligned as if it were depth cannot be exact
    assert depth_metrics(disp, gt)["scale_shift"]["abs_rel"] > 0.1


def test_depth_errors_match_their_formulas():
    gt = np.array([[1.0, 2.0], [4.0, np.inf]])
    pred = np.array([[1.5, 2.0], [2.0, 3.0]])
    m = depth_metrics(pred, gt, alignments=("none",))["none"]
    assert m["abs_rel"] == pytest.approx((0.5 / 1 + 0 + 2 / 4) / 3)
    assert m["sq_rel"] == pytest.approx((0.25 / 1 + 0 + 4 / 4) / 3)
    assert m["rmse"] == pytest.approx(np.sqrt((0.25 + 0 + 4) / 3))
    assert m["rmse_log"] == pytest.approx(np.sqrt((np.log(1.5) ** 2 + 0 + np.log(0.5) ** 2) / 3))
    assert m["delta1"] == pytest.approx(1 / 3) and m["delta2"] == pytest.approx(2 / 3)
    assert m["delta3"] == pytest.approx(2 / 3)  # ratio 2 > 1.25^3 = 1.95


def test_depth_mask_and_range_narrow_the_valid_pixels():
    gt = _depth(3)
    mask = np.zeros(gt.shape, bool)
    mask[10:20] = True
    assert depth_metrics(gt, gt, mask)["valid_pixels"] == 640
    n = depth_metrics(gt, gt, max_depth=25.0)["valid_pixels"]
    assert n == int((np.isfinite(gt) & (gt <= 25.0)).sum())
    with pytest.raises(ValueError, match="shape"):
        depth_metrics(gt[:, :10], gt)


def _rotate_x(n, deg):
    a = np.radians(deg)
    r = np.array([[1, 0, 0], [0, np.cos(a), -np.sin(a)], [0, np.sin(a), np.cos(a)]])
    return n @ r.T


def test_normal_errors_of_a_known_rotation():
    rng = np.random.default_rng(0)
    n = rng.normal(size=(32, 40, 3))
    n /= np.linalg.norm(n, axis=-1, keepdims=True)
    n[0] = 0.0  # sky: no normal
    m = normal_metrics(_rotate_x(n, 15.0) * 3.0, n)  # any length: both are normalised
    assert m["valid_pixels"] == 31 * 40
    # a rotation by 15 deg about x turns a unit vector by 15 deg only if it is orthogonal to x:
    # the angle is arccos(1 - (1 - x^2)(1 - cos 15))
    x = n[1:, :, 0].ravel()
    expected = np.degrees(np.arccos(1 - (1 - x * x) * (1 - np.cos(np.radians(15.0)))))
    assert m["mean_deg"] == pytest.approx(expected.mean(), rel=1e-6)
    assert m["pct_below_22.5"] == 100.0 and m["pct_below_11.25"] == pytest.approx(100 * np.mean(expected < 11.25))
    e = normal_metrics(_rotate_x(n, 40.0), n)
    assert e["pct_below_30"] < 100.0


def test_psnr_of_known_noise():
    rng = np.random.default_rng(1)
    gt = rng.uniform(0.2, 0.8, (40, 50, 3))
    sigma = 0.05
    pred = gt + sigma * rng.choice([-1.0, 1.0], gt.shape)  # every error exactly sigma: MSE = sigma^2
    assert psnr(pred, gt) == pytest.approx(10 * np.log10(1 / sigma ** 2), abs=1e-9)
    mask = np.zeros(gt.shape[:2], bool)
    mask[:20] = True
    pred[20:] = 0.0  # invalid pixels do not count
    assert psnr(pred, gt, mask) == pytest.approx(26.0206, abs=1e-3)


def test_ssim_is_one_on_identical_images_and_below_on_noise():
    rng = np.random.default_rng(2)
    img = rng.uniform(0, 1, (40, 48, 3))
    assert ssim(img, img) == pytest.approx(1.0, abs=1e-12)
    assert ssim(img + rng.normal(0, 0.1, img.shape), img) < 0.97
    u8 = (img * 255).astype(np.uint8)
    m = image_metrics(u8, u8)
    assert m["ssim"] == pytest.approx(1.0) and m["psnr"] == float("inf") and m["mae"] == 0.0


@pytest.mark.parametrize("channels", [None, 3])
def test_ssim_matches_scikit_image(channels):
    from skimage.metrics import structural_similarity

    rng = np.random.default_rng(3)
    shape = (37, 45) if channels is None else (37, 45, channels)
    from scipy.ndimage import gaussian_filter

    a = gaussian_filter(rng.uniform(0, 1, shape), 1.0)
    b = np.clip(a + rng.normal(0, 0.05, shape), 0, 1)
    ref = structural_similarity(a, b, gaussian_weights=True, sigma=1.5, use_sample_covariance=False, data_range=1.0,
                                channel_axis=None if channels is None else -1)
    assert ssim(a, b) == pytest.approx(ref, abs=1e-9)


def test_ssim_with_a_mask_ignores_what_is_outside_it():
    rng = np.random.default_rng(4)
    a = rng.uniform(0, 1, (40, 40))
    b = a.copy()
    b[:, 25:] = rng.uniform(0, 1, (40, 15))  # garbage outside the mask
    mask = np.zeros((40, 40), bool)
    mask[:, :25] = True
    assert ssim(b, a, mask) == pytest.approx(1.0, abs=1e-9)
    assert ssim(b, a) < 0.8
