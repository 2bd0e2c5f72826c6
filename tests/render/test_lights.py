"""Point lights light what the sun cannot reach."""

import numpy as np
import pytest

from wildsynth.core import Camera, MaterialRef, Object, PointLight, Scene, look_at
from wildsynth.generators.rocks import icosphere
from wildsynth.render.cycles import CyclesRenderer
from wildsynth.render.settings import RenderSettings

pytestmark = pytest.mark.blender  # renders with Cycles


def render_inside_sphere(lights):
    room = icosphere(2)
    room = type(room)(room.vertices * 5.0, room.faces[:, ::-1])  # a closed room, faces inward
    scene = Scene()
    scene.add(Object("room", room, MaterialRef("granite"), "cave_wall", "test"))
    scene.lights = lights
    cam = Camera.from_hfov(32, 24, 70.0, look_at([0.0, 0.0, 0.0], [1.0, 0.0, 0.0]))
    with CyclesRenderer(scene, RenderSettings(width=32, height=24, samples=4, denoise=False)) as r:
        return r.render_rgb(cam).linear


def test_point_light_lights_a_closed_room():
    dark = render_inside_sphere([])
    lit = render_inside_sphere([PointLight(np.array([0.0, 0.0, 1.0]), power=200.0)])
    assert dark.mean() < 1e-3  # sun and sky are outside the closed room
    assert lit.mean() > 0.01
