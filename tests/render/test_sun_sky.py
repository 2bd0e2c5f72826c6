"""A clear day's sun and sky in Cycles: the sun's direct light several times the sky's diffuse light."""

import numpy as np
import pytest

from wildsynth.core import Camera, MaterialRef, Mesh, Object, Scene, look_at
from wildsynth.render.cycles import CyclesRenderer
from wildsynth.render.settings import RenderSettings
from wildsynth.scenes.base import SkyParams

pytestmark = pytest.mark.blender  # renders with Cycles


def ground_radiance(hour: float, sun_scale: float) -> float:
    """Mean linear luminance of a large flat sand plane seen from 2 m straight down."""
    v = np.array([[-500.0, -500.0, 0.0], [500.0, -500.0, 0.0], [500.0, 500.0, 0.0], [-500.0, 500.0, 0.0]])
    scene = Scene()
    scene.add(Object("ground", Mesh(v, np.array([[0, 1, 2], [0, 2, 3]])), MaterialRef("sand"), "terrain", "test"))
    scene.sun, scene.sky = SkyParams(latitude=45.0, day_of_year=172, hour=hour, north=0.0, clouds=0.0,
                                     dust_density=1.5, sun_scale=sun_scale).make(np.random.default_rng(0))
    cam = Camera.from_hfov(24, 16, 40.0, look_at([0.0, 0.0, 2.0], [0.0, 0.01, 0.0]))
    settings = RenderSettings(width=24, height=16, samples=16, denoise=False, adaptive_threshold=0.0)
    with CyclesRenderer(scene, settings) as r:
        lin = r.render_rgb(cam).linear
    return float((lin @ np.array([0.2126, 0.7152, 0.0722])).mean())


@pytest.mark.parametrize("hour, lo, hi", [(12.0, 5.0, 16.0), (7.0, 2.5, 8.0)])  # sun at 68 and 27 degrees
def test_sun_to_sky_ratio_of_a_clear_day(hour, lo, hi):
    sky = ground_radiance(hour, 0.0)
    both = ground_radiance(hour, 1.0)
    ratio = (both - sky) / sky  # direct over diffuse illuminance on the horizontal ground
    assert lo < ratio < hi, ratio
