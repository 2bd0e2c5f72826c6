"""The one atmosphere: sun lamp from elevation and air mass, haze with distance (no Blender)."""

import numpy as np
import pytest

from wildsynth.materials import sky as atm
from wildsynth.scenes.base import SkyParams


def test_air_mass():
    assert atm.air_mass(90.0) == pytest.approx(1.0, abs=1e-3)
    assert atm.air_mass(30.0) == pytest.approx(2.0, rel=0.01)
    assert 35.0 < atm.air_mass(0.0) < 40.0  # Kasten & Young at the horizon: ~38


def test_sun_dims_and_reddens_towards_the_horizon():
    elevs = [2.0, 5.0, 15.0, 30.0, 60.0, 89.0]
    lamps = [atm.sun_lamp(e, 1.0, 1.5) for e in elevs]
    strengths = [s for s, _ in lamps]
    blue = [c[2] for _, c in lamps]
    assert np.all(np.diff(strengths) > 0) and np.all(np.diff(blue) > 0)
    assert all(max(c) == pytest.approx(1.0) for _, c in lamps)
    assert lamps[0][1][0] == 1.0 and lamps[0][1][2] < 0.3  # an orange sunset sun
    assert atm.sun_lamp(-5.0)[0] == 0.0
    # more dust: a weaker sun
    assert atm.sun_lamp(30.0, 1.0, 5.0)[0] < atm.sun_lamp(30.0, 1.0, 1.0)[0]


def test_sun_matches_nishitas_measured_disc():
    # Nishita's own sun disc in Blender 4.5, integrated over a 4096x2048 panorama (dust 1.5):
    # direct normal irradiance, Nishita units (see materials/sky.py)
    measured = {15.0: (112.6, 81.5, 45.2), 45.0: (147.0, 120.2, 92.4), 80.0: (148.7, 124.1, 100.7)}
    for e, dni in measured.items():
        np.testing.assert_allclose(atm.sun_irradiance(e, 1.0, 1.5), dni, rtol=0.05)


@pytest.mark.parametrize("dust", [1.0, 5.0])
def test_aerial_perspective_is_monotone_in_distance(dust):
    d = np.array([0.0, 10.0, 100.0, 1e3, 1e4, 1e5, np.inf])
    t = atm.transmittance(d, 1.0, dust)
    assert t[0] == t[1] == t[2] == 1.0 and t[-1] == 0.0 and np.all(np.diff(t[2:]) < 0)  # no haze in the first 100 m
    dark, horizon = np.array([0.02, 0.03, 0.01]), np.array([0.6, 0.7, 0.9])
    out = atm.aerial(np.tile(dark, (len(d), 1)), d, horizon, 1.0, dust)
    gap = np.abs(out - horizon).sum(-1)
    assert np.all(np.diff(gap[2:]) < 0)  # ever closer to the horizon colour
    np.testing.assert_allclose(out[0], dark)
    np.testing.assert_allclose(out[-1], horizon)
    # a visibility (Koschmieder, 2% contrast) of tens of kilometres
    assert 20e3 < 3.912 / atm.haze_beta(1.0, dust) < 120e3


def test_sky_params_physical_and_overrides():
    rng = np.random.default_rng
    sun, sky = SkyParams(hour=12.0, day_of_year=172, latitude=45.0, north=0.0, clouds=0.0,
                         dust_density=1.5).make(rng(0))
    s, c = atm.sun_lamp(np.degrees(sun.elevation), 1.0, 1.5)
    assert sun.strength == pytest.approx(s) and sun.color == pytest.approx(c)
    assert sky.strength == atm.FILM_SCALE and sky.dust_density == 1.5
    fixed, _ = SkyParams(sun_strength=6.0, hour=12.0).make(rng(0))
    assert fixed.strength == 6.0
    dim, _ = SkyParams(overcast=1.0, hour=12.0, day_of_year=172, dust_density=1.5).make(rng(0))
    assert dim.strength == pytest.approx(0.1 * s)
    # drawn haze stays in its range and the draws before it are those of before (day, hour, north, clouds)
    for seed in range(20):
        _, k = SkyParams().make(rng(seed))
        assert 1.0 <= k.dust_density <= 5.0
