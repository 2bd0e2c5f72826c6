"""Movers: shapes, paths kept above the terrain and out of obstacles, smooth motion, determinism."""

import numpy as np
import pytest

from wildsynth.camera.placement import Obstacles
from wildsynth.camera.shot import ShotOptions, plan_shot
from wildsynth.core import Camera, Scene, look_at
from wildsynth.core.motion import Flight, MotionSet
from wildsynth.core.seeds import SeedTree
from wildsynth.generators.motion import MotionParams
from wildsynth.generators.movers import KIND_MATERIALS, KINDS, SHAPES, MoverParams, add_movers
from wildsynth.gt.boxes import Boxes3D

OBSTACLES = Obstacles(np.array([[7.0, 0.5, 0.3], [9.0, -2.0, 1.0], [12.0, 2.0, 0.0]]), np.array([1.2, 2.0, 1.5]))


def floor(x, y):
    """Rolling hills, up to 1.2 m high: steep enough to lift some paths."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    return 0.9 * np.sin(0.35 * x) * np.cos(0.3 * y) + 0.3 * np.sin(1.1 * y + 0.4 * x)


def make_shot(frames=24, kind="walk", seed=1):
    cam = Camera.from_hfov(1280, 720, 70.0, look_at(np.array([0.0, 0.0, 1.7]), np.array([10.0, 0.0, 0.8])))
    return plan_shot(cam, ShotOptions(frames=frames, trajectory={"kind": kind}), 160, 90, floor, OBSTACLES,
                     SeedTree(seed).child("sequence"))


def movers(count=12, seed=3, shot=None, **kw):
    scene = Scene()
    shot = shot or make_shot()
    plan = add_movers(scene, MoverParams(count=count, **kw), shot, floor, OBSTACLES, SeedTree(seed).child("movers"))
    return scene, shot, plan


@pytest.mark.parametrize("kind", KINDS)
def test_every_shape_builds_centred_with_unit_radius(kind):
    for seed in range(3):
        m = SHAPES[kind](np.random.default_rng(seed), 2)
        v = m.vertices.astype(np.float64)
        assert len(m.faces) >= 4 and np.isfinite(v).all()
        assert np.linalg.norm(v, axis=1).max() == pytest.approx(1.0, abs=1e-5)
        assert np.allclose((v.min(0) + v.max(0)) / 2, 0.0, atol=1e-5)
        area = np.linalg.norm(np.cross(v[m.faces[:, 1]] - v[m.faces[:, 0]], v[m.faces[:, 2]] - v[m.faces[:, 0]]), axis=1)
        assert area.min() > 0, "no degenerate triangles"
        assert KIND_MATERIALS[kind]


@pytest.mark.parametrize("kind", ["platonic", "torus"])
def test_closed_shapes_are_watertight_and_face_outwards(kind):
    for seed in range(5):
        m = SHAPES[kind](np.random.default_rng(seed), 2)
        f = m.faces.astype(np.int64)
        edges = np.concatenate([f[:, [0, 1]], f[:, [1, 2]], f[:, [2, 0]]])
        # every directed edge appears once and its reverse once: closed and consistently oriented
        key = edges[:, 0] * len(m.vertices) + edges[:, 1]
        rev = edges[:, 1] * len(m.vertices) + edges[:, 0]
        assert len(np.unique(key)) == len(key) and np.array_equal(np.sort(key), np.sort(rev))
        v = m.vertices.astype(np.float64)
        vol = np.einsum("ij,ij->i", v[f[:, 0]], np.cross(v[f[:, 1]], v[f[:, 2]])).sum() / 6
        assert vol > 0.05, "outward normals give a positive signed volume"


def test_movers_get_ids_class_and_one_placement_each():
    scene, shot, plan = movers(count=8)
    objs = [o for o in scene.objects if o.semantic == "mover"]
    assert len(objs) == 8 and all(len(o.geometry) == 1 for o in objs)
    ids = np.concatenate([o.ids for o in objs])
    assert np.array_equal(np.sort(ids), np.sort(plan.motion.ids)) and len(np.unique(ids)) == 8
    assert set(plan.kinds) <= set(KINDS)
    lut = scene.id_to_class()
    from wildsynth.core.labels import label_id

    assert np.all(lut[ids] == label_id("mover"))
    for o, kind in zip(objs, plan.kinds):
        assert o.material.recipe in KIND_MATERIALS[kind] and o.generator == f"movers.{kind}"


def _dense(flight: Flight, shot, n=4000):
    ts = np.linspace(shot.times[0], shot.times[-1], n)
    return ts, np.stack([flight.positions(t) for t in ts])


def test_paths_stay_above_the_terrain_and_out_of_obstacles():
    for seed in range(4):
        _, shot, plan = movers(count=16, seed=seed)
        f, r = plan.motion, plan.radii
        ts, pos = _dense(f, shot)
        ground = floor(pos[..., 0], pos[..., 1])
        assert np.all(pos[..., 2] >= ground + r[None] + 0.5 * plan.clearance), seed
        for c, rad in zip(OBSTACLES.centers, OBSTACLES.radii):
            assert np.all(np.linalg.norm(pos - c, axis=-1) >= rad + r[None]), seed
        # every vertex, not only the centre: the mesh stays inside its bounding sphere
        assert np.all(np.linalg.norm(pos - pos[:1], axis=-1).max(0) > 0.05), "they move"


def test_lift_is_used_when_paths_would_hit_the_ground():
    # low and slow movers over tall hills: some candidates must be raised, and still clear the ground
    def hills(x, y):
        return 1.5 + 1.5 * np.sin(0.8 * np.asarray(x, float))

    shot = make_shot(frames=12)
    scene = Scene()
    plan = add_movers(scene, MoverParams(count=10, attempts=1, near=2.0, far=4.0), shot, hills, None,
                      SeedTree(0).child("movers"))
    assert (plan.lift > 0).any()
    _, pos = _dense(plan.motion, shot)
    assert np.all(pos[..., 2] >= hills(pos[..., 0], pos[..., 1]) + plan.radii[None] + 0.5 * plan.clearance)


def test_motion_is_smooth_with_bounded_acceleration():
    _, shot, plan = movers(count=16)
    f = plan.motion
    dt = 1e-3
    ts = np.arange(shot.times[0], shot.times[-1], dt)
    pos = np.stack([f.positions(t) for t in ts])
    acc = np.linalg.norm(np.diff(pos, 2, axis=0), axis=-1) / dt**2
    bound = f.max_acceleration()
    assert np.all(acc <= bound[None] * 1.01 + 1e-6)
    assert np.all(bound < 15.0), "a few m/s^2 at most with the default wobble"
    speed = np.linalg.norm(np.diff(pos, axis=0), axis=-1) / dt
    assert np.all(speed < 3.0 + 2 * np.pi * 0.5 * 0.3 * 3 + 0.1)
    # orientation: angular steps per millisecond stay small (no flips)
    rots = np.stack([f.rotations(t) for t in ts[::10]])
    rel = np.einsum("tnji,tnjk->tnik", rots[:-1], rots[1:])
    ang = np.arccos(np.clip((np.trace(rel, axis1=-2, axis2=-1) - 1) / 2, -1, 1))
    assert ang.max() < np.radians(150 + 60) * 10 * dt
    # the analytic acceleration matches finite differences
    mid = len(ts) // 2
    assert np.allclose(np.diff(pos, 2, axis=0)[mid - 1] / dt**2, f.accelerations(ts[mid]), atol=1e-2)


def test_movers_are_in_view_for_most_of_the_shot():
    _, shot, plan = movers(count=20)
    assert np.mean(plan.in_view) >= 0.7 and np.mean(plan.in_view >= 0.5) >= 0.8


def test_deltas_are_identity_at_rest_and_move_points_agrees_with_them():
    _, shot, plan = movers(count=5)
    f = plan.motion
    assert np.allclose(f.deltas(0.0), np.eye(4))
    ms = MotionSet([f])
    p0 = f.positions(0.1) + np.array([0.05, -0.02, 0.03])
    moved = ms.move_points(f.ids, p0, 0.1, 0.3)
    rel = f.deltas(0.3) @ np.linalg.inv(f.deltas(0.1))
    assert np.allclose(moved, np.einsum("nij,nj->ni", rel[:, :3, :3], p0) + rel[:, :3, 3])
    # rigid: distances to the centre are kept
    assert np.allclose(np.linalg.norm(moved - f.positions(0.3), axis=1), np.linalg.norm(p0 - f.positions(0.1), axis=1))


def test_boxes_follow_the_movers():
    scene, shot, plan = movers(count=6)
    boxes = Boxes3D(scene)
    f = plan.motion
    t = float(shot.times[-1])
    d = f.deltas(t)
    recs = boxes.posed(f.ids, {int(i): d[k] for k, i in enumerate(f.ids)})
    objs = [o for o in scene.objects if o.semantic == "mover"]
    for rec, o, k in zip(recs, objs, range(len(objs))):
        g = o.geometry
        world = g.mesh.vertices.astype(np.float64) @ g.transforms[0, :3, :3].T.astype(np.float64) + g.transforms[0, :3, 3]
        world = world @ d[k, :3, :3].T + d[k, :3, 3]
        local = (world - rec["centre"]) @ np.array(rec["rotation"])
        assert np.all(np.abs(local) <= np.array(rec["size"]) / 2 + 1e-4)
        assert np.prod(rec["size"]) <= (2 * plan.radii[k]) ** 3 + 1e-6


def test_deterministic_per_seed_and_independent_of_resolution():
    a = movers(count=6, seed=5)[2].motion
    b = movers(count=6, seed=5)[2].motion
    c = movers(count=6, seed=6)[2].motion
    assert np.array_equal(a.centres, b.centres) and np.array_equal(a.spin, b.spin)
    assert not np.allclose(a.centres, c.centres)
    cam = Camera.from_hfov(1280, 720, 70.0, look_at(np.array([0.0, 0.0, 1.7]), np.array([10.0, 0.0, 0.8])))
    big = plan_shot(cam, ShotOptions(frames=24, trajectory={"kind": "walk"}), 640, 360, floor, OBSTACLES,
                    SeedTree(1).child("sequence"))
    d = movers(count=6, seed=5, shot=big)[2].motion
    assert np.allclose(a.centres, d.centres) and np.allclose(a.velocity, d.velocity)


def test_params_are_checked_and_off_by_default():
    assert MotionParams().movers.count == 0
    with pytest.raises(ValueError, match="size_min"):
        MoverParams(size_min=2.0, size_max=1.0)
    with pytest.raises(ValueError):
        MoverParams(kinds=["cube"])
    from wildsynth.run import RunOptions

    with pytest.raises(ValueError, match="no_such_material"):
        RunOptions(motion={"movers": {"count": 1, "materials": ["no_such_material"]}})
    scene, _, plan = movers(count=3, materials=["granite"])
    assert all(o.material.recipe == "granite" for o in scene.objects)
    assert add_movers(Scene(), MoverParams(), make_shot(), floor, None, SeedTree(0)) is None


def test_a_still_gets_movers_at_rest():
    scene, shot, plan = movers(count=4, shot=make_shot(frames=1, kind="static"))
    assert len(shot.times) == 1 and np.mean(plan.in_view) > 0.5
    assert np.allclose(plan.motion.deltas(shot.times[0]), np.eye(4))
