"""Objects the haze never reaches from the shot's cameras go without the aerial-perspective wrapper."""

import numpy as np
import pytest

from wildsynth.core.mesh import Instances, Mesh
from wildsynth.core.scene import MaterialRef, Object, Scene
from wildsynth.materials.sky import HAZE_START, mark_haze_free


def _strip(x0: float, x1: float) -> Mesh:
    """Two triangles along x from x0 to x1 (faces: the near one first)."""
    v = np.array([[x0, 0, 0], [x0, 1, 0], [0.5 * (x0 + x1), 0, 0], [x1, 1, 0]], dtype=np.float32)
    return Mesh(v, np.array([[0, 1, 2], [1, 3, 2]]))


def _scene() -> Scene:
    s = Scene()
    rock = MaterialRef("rock", 1)
    s.add(Object("near", _strip(1.0, 20.0), rock, "rock", "test"))
    s.add(Object("far", _strip(HAZE_START + 10.0, HAZE_START + 50.0), rock, "rock", "test"))
    s.add(Object("across", _strip(10.0, 170.0), rock, "rock", "test"))  # faces reach 90 m and 170 m
    t = np.repeat(np.eye(4, dtype=np.float32)[None], 3, 0)
    t[:, 0, 3] = [5.0, 10.0, 15.0]
    s.add(Object("pebbles", Instances(_strip(0.0, 0.1), t), rock, "rock", "test"))
    big = t.copy()
    big[:, :3, :3] *= 2.0 * HAZE_START  # one placement stretched past the haze's start
    s.add(Object("boulders", Instances(_strip(0.0, 1.0), big), rock, "rock", "test"))
    return s


def test_marks_what_every_camera_sees_short_of_the_haze():
    s = _scene()
    assert mark_haze_free(s, [[0.0, 0.0, 0.0]], np.zeros(0, np.uint32)) == 3
    flags = {o.name: o.haze_free for o in s.objects}
    assert flags["near"] is True and flags["far"] is False and flags["pebbles"] is True
    assert flags["boulders"] is False  # bounding spheres scale with the placement
    assert flags["across"].tolist() == [True, False]  # a mesh across the start: its near faces only


def test_a_second_camera_far_away_or_motion_takes_the_marks_back():
    s = _scene()
    mark_haze_free(s, [[0.0, 0.0, 0.0], [0.0, 3.0 * HAZE_START, 0.0]], np.zeros(0, np.uint32))
    assert not any(o.haze_free is True for o in s.objects)
    s = _scene()
    moving = s.objects[0].ids
    mark_haze_free(s, [[0.0, 0.0, 0.0]], moving)
    assert s.objects[0].haze_free is False and s.objects[3].haze_free is True


def _blocks(img: np.ndarray, k: int = 8) -> np.ndarray:
    h, w = (img.shape[0] // k) * k, (img.shape[1] // k) * k
    return img[:h, :w].reshape(h // k, k, w // k, k, -1).mean((1, 3))


@pytest.mark.blender
def test_haze_free_materials_render_the_same_picture():
    """Marked, the picture differs from the unmarked one by less than two sampler seeds differ (8x8
    block means); with every object wrongly marked, the far ground loses its haze and it differs by
    more (a version that gave split meshes' far faces the plain material failed the first check)."""
    from conftest import build_tiny

    from wildsynth.render.cycles import CyclesRenderer
    from wildsynth.render.settings import RenderSettings

    scene, rig = build_tiny()
    settings = RenderSettings(width=96, height=64, samples=16, denoise=False, adaptive_threshold=0.0)

    def render(seed: int) -> np.ndarray:
        with CyclesRenderer(scene, settings, seed=seed) as r:
            return _blocks(r.render_rgb(rig.main).linear)

    base, other = render(3), render(4)
    noise = np.abs(other - base).mean()
    assert mark_haze_free(scene, [rig.main.position], np.zeros(0, np.uint32)) > 0
    marked = render(3)
    assert np.abs(marked - base).mean() < noise
    for o in scene.objects:
        o.haze_free = True
    assert np.abs(render(3) - base).mean() > noise
