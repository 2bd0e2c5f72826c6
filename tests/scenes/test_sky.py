import numpy as np
import pytest

from wildsynth.core.solar import solar_position
from wildsynth.scenes.base import SkyParams

pytestmark = pytest.mark.blender  # renders with Cycles


def test_solar_position_known_cases():
    e, _ = solar_position(0.0, 80, 12.0)  # equator, equinox, noon: overhead
    assert e > 89.0
    e, a = solar_position(45.0, 172, 12.0)  # 45N, June solstice noon: 68.4 deg, due south
    assert abs(e - (90 - 45 + 23.44)) < 0.2 and abs(a - 270.0) < 1e-6
    e_am, a_am = solar_position(45.0, 172, 8.0)
    e_pm, a_pm = solar_position(45.0, 172, 16.0)
    assert abs(e_am - e_pm) < 1e-9  # symmetric about noon
    assert abs(((a_am + 360) % 360) - 0.0) < 15 or abs(a_am - 360) < 15  # morning: east
    assert 165 < a_pm < 195  # afternoon: west
    assert solar_position(45.0, 172, 0.0)[0] < 0  # midnight: below the horizon


def test_drawn_hours_are_daytime_and_deterministic():
    p = SkyParams()
    for seed in range(20):
        sun, sky = p.make(np.random.default_rng(seed))
        assert np.degrees(sun.elevation) >= p.min_sun_elevation - 1e-6
        sun2, _ = p.make(np.random.default_rng(seed))
        assert np.array_equal(sun.direction, sun2.direction)
        assert 0.0 <= sky.clouds <= 0.5


def test_polar_night_falls_back_instead_of_failing():
    sun, _ = SkyParams(latitude=89.0, day_of_year=355).make(np.random.default_rng(0))
    assert np.isfinite(sun.direction).all()


def test_fixed_time_and_overcast():
    sun, sky = SkyParams(hour=12.0, day_of_year=172, latitude=45.0, north=0.0, overcast=1.0).make(
        np.random.default_rng(0))
    assert abs(np.degrees(sun.elevation) - 68.44) < 0.2
    assert sky.clouds == 1.0 and sun.strength < 0.5
    with pytest.raises(ValueError):
        SkyParams(hour=25.0)


def test_clouds_change_the_sky_only():
    from conftest import build_tiny

    from wildsynth.render.cycles import CyclesRenderer
    from wildsynth.render.settings import RenderSettings

    over = {"camera": {"pitch_min": 20.0, "pitch_max": 25.0, "min_ground": 0.0},
            "sky": {"hour": 11.0, "day_of_year": 150}}
    images, gts = [], []
    for clouds in (0.0, 0.9):
        o = {**over, "sky": {**over["sky"], "clouds": clouds}}
        scene, rig = build_tiny(1, o)
        with CyclesRenderer(scene, RenderSettings(width=96, height=64, samples=4, denoise=False)) as r:
            images.append(r.render_rgb(rig.main).linear)
            gts.append(r.render_gt(rig.main))
    sky = ~np.isfinite(gts[0].depth)
    assert sky.mean() > 0.3
    assert np.abs(images[0] - images[1])[sky].mean() > 0.02  # clouds are visible
    assert np.array_equal(gts[0].depth, gts[1].depth)  # and change no geometry
