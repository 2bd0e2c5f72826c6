"""Against ground truth: an analytic textured-planes scene rendered for both cameras."""

import numpy as np

from wildsynth.stereo import from_mono
from wildsynth.stereo.metrics import psnr, ssim, synthetic_scene_report
from wildsynth.stereo.synthetic import planes_scene


def test_synthetic_scene_matches_true_right_view():
    rep = synthetic_scene_report(160, 120)
    print(rep)
    assert rep["psnr_covisible_db"] > 35
    assert rep["ssim_covisible"] > 0.95
    assert rep["hole_iou"] > 0.95  # holes where the true right camera sees what the left could not
    assert abs(rep["hole_fraction"] - rep["hole_fraction_true"]) < 0.01
    assert rep["disparity_epe_px"] < 0.05


def test_warp_beats_doing_nothing():
    sc = planes_scene(160, 120)
    pair = from_mono(sc["left"], sc["depth_left"], 0, focal=sc["focal"], baseline=sc["baseline"])
    m = sc["covisible_right"]
    assert psnr(pair.right, sc["right"], m) > psnr(sc["left"], sc["right"], m) + 10
    assert ssim(pair.right, sc["right"], m) > ssim(sc["left"], sc["right"], m)
    np.testing.assert_allclose(pair.disparity, sc["disparity_left"], atol=0.5)
