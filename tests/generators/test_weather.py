"""Weather toggles: particles change the image; in_ground_truth decides whether GT sees them."""

import numpy as np
import pytest
from conftest import build_tiny

from wildsynth.core.labels import label_id
from wildsynth.core.motion import Fall
from wildsynth.render.cycles import CyclesRenderer
from wildsynth.render.settings import RenderSettings

pytestmark = pytest.mark.blender  # renders with Cycles

PARTICLE = label_id("weather_particle")


def render(overrides):
    scene, rig = build_tiny(4, overrides)
    with CyclesRenderer(scene, RenderSettings(width=96, height=64, samples=4, denoise=False)) as r:
        rgb = r.render_rgb(rig.main).linear
        gt = r.render_gt(rig.main)
    return scene, rgb, gt, scene.id_to_class()[gt.instance]


@pytest.fixture(scope="module")
def runs():
    leaves = {"leaves": 150.0, "near": 1.0, "far": 15.0}
    return {
        "off": render({}),
        "in_gt": render({"weather": leaves}),
        "rgb_only": render({"weather": {**leaves, "in_ground_truth": False}}),
    }


def test_particles_are_labelled_in_ground_truth(runs):
    scene, _, gt, sem = runs["in_gt"]
    assert (sem == PARTICLE).mean() > 0.002
    assert not (runs["off"][3] == PARTICLE).any()
    fall = [m for m in scene.motions if isinstance(m, Fall)]
    assert len(fall) == 1 and len(fall[0].ids) > 100  # they move in sequences


def test_rgb_only_particles_leave_ground_truth_clean(runs):
    _, rgb_off, gt_off, _ = runs["off"]
    _, rgb, gt, sem = runs["rgb_only"]
    assert not (sem == PARTICLE).any()
    assert np.array_equal(gt.depth, gt_off.depth) and np.array_equal(gt.instance > 0, gt_off.instance > 0)
    assert np.abs(rgb - rgb_off).max() > 0.05  # but the image shows them


def test_weather_parameters_are_checked():
    from wildsynth.generators.weather import WeatherParams

    with pytest.raises(ValueError):
        WeatherParams(rain=-1)


def test_fog_dims_the_distance_but_not_the_ground_truth(runs):
    _, rgb_off, gt_off, _ = runs["off"]
    _, rgb, gt, _ = render({"weather": {"fog": 0.05}})
    assert np.array_equal(gt.depth, gt_off.depth) and np.array_equal(gt.normal_world, gt_off.normal_world)
    far = np.isfinite(gt.depth) & (gt.depth > 50)
    contrast = lambda img: img[far].std()  # noqa: E731
    assert contrast(rgb) < 0.7 * contrast(rgb_off)  # distant terrain fades into the fog
