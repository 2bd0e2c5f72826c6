"""Camera effects (depth of field, sensor noise, vignetting, exposure) change the picture, never the
ground truth: depth, normals and ids stay the pinhole's at pixel centres."""

import numpy as np
import pytest

from wildsynth.core import Camera, MaterialRef, Mesh, Object, Scene, look_at
from wildsynth.generators.rocks import icosphere
from wildsynth.render.cycles import CyclesRenderer
from wildsynth.render.settings import RenderSettings
from wildsynth.scenes.base import SkyParams

pytestmark = pytest.mark.blender  # renders with Cycles

W, H = 64, 40
EFFECTS = dict(fstop=1.0, focus_distance=0.3, iso=3200.0, vignetting=1.0, sensor="aps_c", exposure=1.0)


def small_scene() -> Scene:
    v = np.array([[-30.0, -30.0, 0.0], [30.0, -30.0, 0.0], [30.0, 30.0, 0.0], [-30.0, 30.0, 0.0]])
    scene = Scene()
    scene.add(Object("ground", Mesh(v, np.array([[0, 1, 2], [0, 2, 3]])), MaterialRef("sand"), "terrain", "test"))
    for k, (x, y, r) in enumerate([(0.0, 1.5, 0.3), (0.6, 6.0, 0.8), (-1.5, 14.0, 1.5)]):
        ball = icosphere(2)
        scene.add(Object(f"rock{k}", Mesh(ball.vertices * r + [x, y, r * 0.7], ball.faces),
                         MaterialRef("granite"), "rock", "test"))
    scene.sun, scene.sky = SkyParams(hour=10.0, day_of_year=172, north=0.0, clouds=0.0,
                                     dust_density=1.5).make(np.random.default_rng(0))
    return scene


def edge(linear: np.ndarray) -> float:
    """The 99th percentile of the luminance gradient: how sharp the strongest edges are."""
    y = linear @ np.array([0.2126, 0.7152, 0.0722])
    return float(np.percentile(np.hypot(np.diff(y, axis=1)[:-1], np.diff(y, axis=0)[:, :-1]), 99))


def camera() -> Camera:
    return Camera.from_hfov(W, H, 60.0, look_at([0.0, -0.5, 1.0], [0.0, 6.0, 0.4]))


def render(settings: RenderSettings):
    cam = camera()
    with CyclesRenderer(small_scene(), settings) as r:
        before = r.render_gt(cam)
        rgb = r.render_rgb(cam)
        after = r.render_gt(cam)  # the RGB render's depth of field must not leak into the GT pass
    return before, rgb, after


def test_ground_truth_is_the_pinhole_with_every_effect_on():
    base = RenderSettings(width=W, height=H, samples=16, denoise=False)
    plain_gt, plain_rgb, _ = render(base)
    gt0, rgb, gt1 = render(base.model_copy(update=EFFECTS))
    for gt in (gt0, gt1):
        np.testing.assert_array_equal(gt.depth, plain_gt.depth)
        np.testing.assert_array_equal(gt.normal_world, plain_gt.normal_world)
        np.testing.assert_array_equal(gt.instance, plain_gt.instance)
    assert np.isfinite(plain_gt.depth).mean() > 0.5 and len(np.unique(plain_gt.instance)) >= 3
    # ... while the picture did change: blurred away from the focus, noisy, darker corners
    assert rgb.film["lens"]["fstop"] == 1.0 and rgb.film["lens"]["focus_distance_m"] == 0.3
    assert rgb.film["lens"]["sensor"] == "aps_c" and rgb.film["exposure_ev"] == 1.0 and not rgb.film["auto"]
    assert rgb.exposure == 1.0 and rgb.display.shape == (H, W, 3)
    # focused at 0.3 m at f/1, everything from 2 m on is blurred by ~4 px: the strongest edges
    # (rock silhouettes, the horizon) are softer
    assert edge(rgb.linear) < 0.8 * edge(plain_rgb.linear)


def test_focus_defaults_to_the_depth_at_the_image_centre():
    settings = RenderSettings(width=W, height=H, samples=1, denoise=False, fstop=2.8)
    cam = camera()
    with CyclesRenderer(small_scene(), settings) as r:
        focus = r.focus_distance(cam)  # renders the GT pass itself
        gt = r.render_gt(cam)
    centre = gt.depth[H // 2 - 1:H // 2 + 2, W // 2 - 1:W // 2 + 2]
    assert centre.min() - 1e-3 <= focus <= centre.max() + 1e-3


def test_auto_exposure_brings_dark_and_bright_light_to_the_same_picture():
    out = {}
    for name, scale in (("bright", 1.0), ("dark", 1.0 / 64)):
        scene = small_scene()
        scene.sun.strength *= scale
        scene.sky.strength *= scale
        with CyclesRenderer(scene, RenderSettings(width=W, height=H, samples=4, denoise=False)) as r:
            out[name] = r.render_rgb(camera())
    assert out["dark"].film["auto"] and out["dark"].exposure - out["bright"].exposure == pytest.approx(6.0, abs=0.05)
    a, b = (out[k].display.astype(float).mean() for k in ("bright", "dark"))
    assert abs(a - b) < 3.0 and 70 < a < 170  # 8-bit means: the same, near the middle
