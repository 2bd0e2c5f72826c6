"""Camera placement never fails, and its fallbacks keep the camera valid."""

import numpy as np

from wildsynth.camera import CameraParams, Obstacles, place_camera
from wildsynth.core import SeedTree
from wildsynth.generators.terrain import Heightfield, TerrainParams

FIELD = Heightfield(TerrainParams(), SeedTree(0).child("terrain"))
NONE = Obstacles(np.zeros((0, 3)), np.zeros(0))


def above_ground(cam) -> bool:
    p = cam.position
    return p[2] > FIELD.height(np.array([p[0]]), np.array([p[1]]))[0]


def test_normal_placement_passes_the_checks():
    cam, report = place_camera(CameraParams(), FIELD.height, NONE, np.random.default_rng(0))
    assert report["method"] == "proposal" and above_ground(cam)
    again, _ = place_camera(CameraParams(), FIELD.height, NONE, np.random.default_rng(0))
    assert np.array_equal(cam.cam_to_world, again.cam_to_world)


def test_impossible_checks_fall_back_to_the_best_proposal():
    params = CameraParams(min_ground=1.0, min_sky=1.0, proposals=8)  # no view can satisfy both
    cam, report = place_camera(params, FIELD.height, NONE, np.random.default_rng(1))
    assert report["method"].startswith("fallback") and above_ground(cam)


def test_obstacles_everywhere_fall_back_above_the_origin():
    blob = Obstacles(np.array([[0.0, 0.0, 0.0]]), np.array([5000.0]))  # every proposal is inside it
    cam, report = place_camera(CameraParams(proposals=4), FIELD.height, blob, np.random.default_rng(2))
    assert "origin" in report["method"] and above_ground(cam)
    assert np.all(np.isfinite(cam.cam_to_world))
