"""Aerial perspective in Cycles: the haze grows with distance, from nothing near the camera."""

import numpy as np
import pytest

from wildsynth.core import Camera, MaterialRef, Mesh, Object, Scene, look_at
from wildsynth.render.cycles import CyclesRenderer
from wildsynth.render.settings import RenderSettings
from wildsynth.scenes.base import SkyParams

pytestmark = pytest.mark.blender  # renders with Cycles


def test_haze_grows_with_distance():
    e = 40000.0
    v = np.array([[-e, -50.0, 0.0], [e, -50.0, 0.0], [e, 2 * e, 0.0], [-e, 2 * e, 0.0]])
    scene = Scene()
    scene.add(Object("ground", Mesh(v, np.array([[0, 1, 2], [0, 2, 3]])), MaterialRef("granite"), "terrain", "test"))
    scene.sun, scene.sky = SkyParams(hour=11.0, day_of_year=172, north=0.0, clouds=0.0,
                                     dust_density=8.0).make(np.random.default_rng(0))
    cam = Camera.from_hfov(16, 48, 20.0, look_at([0.0, 0.0, 30.0], [0.0, 1000.0, 0.0]))
    out = {}
    for haze in (False, True):
        s = RenderSettings(width=16, height=48, samples=16, denoise=False, exposure=0.0, aerial_perspective=haze)
        with CyclesRenderer(scene, s) as r:
            depth = r.render_gt(cam).depth
            out[haze] = r.render_rgb(cam).linear @ np.array([0.2126, 0.7152, 0.0722])
    rows = np.isfinite(depth).all(1)
    z = depth[rows].mean(1)
    # the change the haze makes (towards the horizon sky's radiance: here darker than the sunlit rock)
    gain = np.abs(out[True][rows] - out[False][rows]).mean(1)
    order = np.argsort(z)
    z, gain = z[order], gain[order]
    assert z[0] < 100.0 < 1000.0 < z[-1]
    assert gain[0] < 0.02 * out[False][rows].mean()  # nothing within the first 100 m
    far = z > 300.0
    assert far.sum() >= 3 and np.all(np.diff(gain[far]) > 0)  # monotone in distance
    assert gain[-1] > 5 * gain[z < 150.0].max()
