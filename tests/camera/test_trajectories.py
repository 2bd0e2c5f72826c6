"""Trajectories stay smooth, above ground and out of obstacles; rigs have the promised geometry."""

import numpy as np
import pytest

from wildsynth.camera.placement import Obstacles
from wildsynth.camera.rigs import make_rig, multiview_rig, stereo_rig
from wildsynth.camera.trajectories import TrajectoryParams, make_trajectory
from wildsynth.core import Camera, yaw_pitch_to_cam


def bumpy(x, y):
    return 2.0 * np.sin(0.3 * np.asarray(x)) + 1.5 * np.cos(0.25 * np.asarray(y)) + 0.05 * np.asarray(x)


def start_cam():
    eye = np.array([0.0, 0.0, bumpy(0.0, 0.0) + 1.7])
    return Camera.from_hfov(64, 48, 70.0, yaw_pitch_to_cam(eye, 0.3, np.radians(-10)))


OBST = Obstacles(np.array([[6.0, 2.0, bumpy(6.0, 2.0)], [12.0, 4.0, bumpy(12.0, 4.0)]]), np.array([1.5, 2.0]))


@pytest.mark.parametrize("kind", ["static", "walk", "fly", "orbit", "dolly", "pan"])
def test_trajectory_smooth_above_ground_and_collision_free(kind):
    params = TrajectoryParams(kind=kind, speed=3.0)
    fps, n = 12.0, 60
    cams = make_trajectory(params, start_cam(), n, fps, bumpy, OBST, np.random.default_rng(1))
    assert len(cams) == n
    eyes = np.array([c.position for c in cams])
    ground = bumpy(eyes[:, 0], eyes[:, 1])
    assert np.all(eyes[:, 2] >= ground + params.clearance - 1e-6)
    d = np.linalg.norm(eyes[:, None] - OBST.centers[None], axis=2)
    assert np.all(d >= OBST.radii[None] + params.clearance - 1e-6)
    steps = np.linalg.norm(np.diff(eyes, axis=0), axis=1)
    if kind in ("static", "pan"):
        assert np.allclose(steps, 0)
    else:
        assert steps.max() < 3.0 * params.speed / fps, "no jumps"
        assert steps.mean() > 0.3 * params.speed / fps, "it moves"
    for c in cams:
        r = c.cam_to_world[:3, :3]
        assert np.allclose(r.T @ r, np.eye(3), atol=1e-9) and np.isclose(np.linalg.det(r), 1.0)
        assert abs(r[2, 0]) < 1e-9 or kind == "orbit", "no roll: camera x stays horizontal"
    fwd = np.array([c.cam_to_world[:3, 2] for c in cams])
    turn = np.degrees(np.arccos(np.clip((fwd[1:] * fwd[:-1]).sum(1), -1, 1)))
    assert turn.max() < 10.0, "smooth gaze"
    if kind == "pan":
        assert turn.mean() > 1.0


def test_fly_height_and_determinism():
    p = TrajectoryParams(kind="fly", fly_height=15.0)
    a = make_trajectory(p, start_cam(), 20, 24, bumpy, OBST, np.random.default_rng(3))
    b = make_trajectory(p, start_cam(), 20, 24, bumpy, OBST, np.random.default_rng(3))
    assert all(np.array_equal(x.cam_to_world, y.cam_to_world) for x, y in zip(a, b))
    lift = np.array([c.position[2] - bumpy(c.position[0], c.position[1]) for c in a])
    assert np.all(lift > 13.0) and np.all(lift < 20.0)


def test_bad_arguments_raise():
    with pytest.raises(ValueError, match="frames"):
        make_trajectory(TrajectoryParams(), start_cam(), 0, 24, bumpy, OBST, np.random.default_rng(0))
    with pytest.raises(ValueError, match="baseline"):
        stereo_rig(start_cam(), 0.0)


def test_stereo_rig_is_rectified():
    c = start_cam()
    rig = stereo_rig(c, 0.3)
    left, right = rig.cameras["left"], rig.cameras["right"]
    assert np.array_equal(left.K, right.K)
    assert np.allclose(left.cam_to_world[:3, :3], right.cam_to_world[:3, :3])
    # the right camera sits at +baseline along the left camera's x axis
    rel = left.world_to_cam @ right.cam_to_world
    assert np.allclose(rel[:3, 3], [0.3, 0, 0]) and np.allclose(rel[:3, :3], np.eye(3))


def test_multiview_ring_looks_at_one_point():
    c = start_cam()
    rig = multiview_rig(c, 6, "ring", target_distance=5.0)
    target = c.position + 5.0 * c.cam_to_world[:3, 2]
    assert len(rig.cameras) == 6
    dists = []
    for cam in rig.cameras.values():
        uv, z = cam.project(target[None])
        assert np.allclose(uv[0], [32, 24], atol=1e-6) and z[0] > 0
        dists.append(np.linalg.norm(cam.position - target))
    assert np.allclose(dists, 5.0)
    assert np.allclose(next(iter(rig.cameras.values())).cam_to_world, c.cam_to_world)
    assert list(make_rig("mono", c).cameras) == ["main"]


