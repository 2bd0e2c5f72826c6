"""Focal lengths: a 35 mm-equivalent range drawn per seed; without one, the fixed field of view."""

import numpy as np
import pytest

from wildsynth.camera import CameraParams, Obstacles, place_camera
from wildsynth.camera.placement import drawn_hfov, hfov_from_focal


def flat(x, y):
    return np.zeros_like(np.asarray(x, dtype=float))


NONE = Obstacles(np.zeros((0, 3)), np.zeros(0))


def focal_of(cam) -> float:
    return float(cam.K[0, 0] * 36.0 / cam.width)


def test_hfov_of_focal_lengths():
    assert hfov_from_focal(18.0) == pytest.approx(90.0)
    assert hfov_from_focal(50.0) == pytest.approx(39.6, abs=0.05)
    assert drawn_hfov(CameraParams(), np.random.default_rng(0)) == 75.0
    assert hfov_from_focal(np.sqrt(24 * 85)) == pytest.approx(drawn_hfov(CameraParams(focal_min=24, focal_max=85), None))


def test_focal_range_is_drawn_per_seed_and_nothing_else_changes():
    params = CameraParams(focal_min=24.0, focal_max=85.0, proposals=16)
    focals = []
    for seed in range(12):
        cam, _ = place_camera(params, flat, NONE, np.random.default_rng(seed))
        again, _ = place_camera(params, flat, NONE, np.random.default_rng(seed))
        assert np.array_equal(cam.K, again.K)  # determinism
        focals.append(focal_of(cam))
        fixed, _ = place_camera(CameraParams(proposals=16), flat, NONE, np.random.default_rng(seed))
        assert focal_of(fixed) == pytest.approx(18.0 / np.tan(np.radians(37.5)))  # hfov 75: 23.5 mm
    assert min(focals) >= 24.0 - 1e-6 and max(focals) <= 85.0 + 1e-6
    assert max(focals) / min(focals) > 1.5  # really drawn
    # the same proposals, in the same order, with or without a range (the focal draw comes last)
    rng_a, rng_b = np.random.default_rng(3), np.random.default_rng(3)
    place_camera(params, flat, NONE, rng_a)
    place_camera(CameraParams(proposals=16), flat, NONE, rng_b)
    rng_b.random()  # the one draw the range takes, after all of placement's own
    assert rng_a.bit_generator.state == rng_b.bit_generator.state


def test_focal_range_is_validated():
    with pytest.raises(ValueError):
        CameraParams(focal_min=2.0)
