"""Metering, auto-exposure, vignetting and sensor noise on synthetic linear images (no Blender)."""

import numpy as np
import pytest

from wildsynth.core import Camera
from wildsynth.render import film


def grey(h, w, y):
    return np.full((h, w, 3), y, dtype=np.float32)


@pytest.mark.parametrize("y", [0.001, 0.02, 0.18, 3.0])
def test_uniform_image_is_exposed_to_middle_grey(y):
    ev, info = film.auto_exposure(grey(36, 64, y))
    assert ev == pytest.approx(np.log2(0.18 / y), abs=1e-4)
    assert not info["clamped"]
    assert 0.18 == pytest.approx(info["meter_key"] * 2**ev, rel=1e-4)


def test_compensation_adds_stops():
    a, _ = film.auto_exposure(grey(20, 30, 0.05))
    b, _ = film.auto_exposure(grey(20, 30, 0.05), compensation=1.5)
    assert b - a == pytest.approx(1.5, abs=1e-6)


def test_meter_is_centre_weighted():
    img = grey(90, 160, 0.02)
    img[:, :20] = img[:, -20:] = 2.0  # bright sky at the edges
    centre = grey(90, 160, 0.02)
    centre[15:75, 50:110] = 2.0  # as many bright pixels in the middle
    assert film.meter(img) < film.meter(centre)
    assert film.meter(img) < np.exp(np.log(img @ film.LUMA).mean())  # below the plain log-average


def test_meter_ignores_a_few_black_and_hot_pixels():
    img = grey(60, 80, 0.1)
    rng = np.random.default_rng(0)
    idx = rng.choice(img.shape[0] * img.shape[1], 60, replace=False)
    flat = img.reshape(-1, 3)
    flat[idx[:30]] = 0.0
    flat[idx[30:]] = 1e4
    assert film.meter(img) == pytest.approx(0.1, rel=1e-3)


def test_exposure_is_clamped_and_finite():
    ev, info = film.auto_exposure(grey(10, 10, 0.0))
    assert ev == film.EV_RANGE[1]
    ev, info = film.auto_exposure(grey(10, 10, 1e-9))
    assert ev == film.EV_RANGE[1] and info["clamped"]
    ev, info = film.auto_exposure(grey(10, 10, 1e6))
    assert ev == film.EV_RANGE[0] and info["clamped"]


def test_vignetting_is_cos4_off_axis():
    cam = Camera.from_hfov(64, 36, 90.0, np.eye(4))
    g = film.vignetting(cam, 1.0)
    assert g.shape == (36, 64)
    assert g.max() <= 1.0 and g[17:19, 31:33].min() > 0.999
    u = (0.5 - cam.K[0, 2]) / cam.K[0, 0]
    v = (0.5 - cam.K[1, 2]) / cam.K[1, 1]
    assert g[0, 0] == pytest.approx(1.0 / (1.0 + u * u + v * v) ** 2, rel=1e-5)
    assert np.all(np.diff(g[18, 32:]) < 0)  # falls off monotonically towards the edge
    np.testing.assert_allclose(film.vignetting(cam, 0.5), np.sqrt(g), rtol=1e-5)


def test_sensor_noise_is_poisson_gaussian():
    img = grey(200, 200, 0.18)
    rng = np.random.default_rng(1)
    out = film.sensor_noise(img, 0.0, 1600.0, (36.0, 24.0), rng)
    electrons = film.GREY_ELECTRONS_FF_ISO100 * 100 / 1600
    assert out.mean() == pytest.approx(0.18, rel=0.01)
    want = 0.18 * np.sqrt(electrons + film.READ_NOISE_ELECTRONS**2) / electrons
    assert out.std() == pytest.approx(want, rel=0.05)
    # a smaller sensor collects fewer photons: noisier at the same ISO
    small = film.sensor_noise(img, 0.0, 1600.0, (13.2, 8.8), np.random.default_rng(1))
    assert small.std() > 2.5 * out.std()
    # higher exposure (less light) is noisier relative to the signal
    dark = film.sensor_noise(img / 16, 4.0, 1600.0, (36.0, 24.0), np.random.default_rng(1))
    assert dark.std() * 16 == pytest.approx(out.std(), rel=0.05)
    same = film.sensor_noise(img, 0.0, 1600.0, (36.0, 24.0), np.random.default_rng(1))
    np.testing.assert_array_equal(out, same)
