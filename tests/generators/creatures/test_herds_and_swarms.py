"""Herds and swarms: herd members keep their spacing and never overlap, walk around obstacles, keep their
feet planted on the terrain with a cadence that follows their speed; insect swarms keep their separation
and their height band; both repeat per seed; plains frames get a herd by default."""

import numpy as np
import pytest

from wildsynth.core.motion import skin
from wildsynth.core.scene import Scene
from wildsynth.core.seeds import SeedTree
from wildsynth.generators.creatures import CREATURES, Place
from wildsynth.generators.creatures.herd import HerdParams, gait_for, plan_herd
from wildsynth.generators.creatures.placement import CreatureParams, add_creatures


def hills(x, y):
    x, y = np.asarray(x, float), np.asarray(y, float)
    return 0.15 * np.sin(0.4 * x) + 0.1 * np.cos(0.3 * y) + 0.05 * x


class Discs:  # obstacle spheres (trees, rocks) like camera.placement.Obstacles
    def __init__(self, centers, radii):
        self.centers, self.radii = np.asarray(centers, float), np.asarray(radii, float)


def herd(seed=0, n=8, speed=1.2, obstacles=None, t1=8.0):
    kind = CREATURES["herbivore"]
    prms = []
    for k in range(n):
        p = kind.sample(np.random.default_rng(100 * seed + k))
        prms.append(p.model_copy(update={"gait": gait_for(speed, p.hip_height), "speed": speed, "turn_deg": 0.0}))
    binds = [kind.make(p, np.random.default_rng(k), Place(np.zeros(2), 0.0, hills, 0.0)).body.mesh.vertices
             for k, p in enumerate(prms)]
    length = max(float(np.ptp(b[:, 0])) for b in binds)
    tracks = plan_herd(n, np.array([0.0, 0.0]), 0.2, speed, -1.0, t1, np.random.default_rng(seed), HerdParams(),
                       length, hills, obstacles, [p.body_length for p in prms])
    rigs = [kind.make(p, np.random.default_rng(k), Place(tr.xy(0.0)[0], 0.0, hills, None, 0.0, None, tr))
            for k, (p, tr) in enumerate(zip(prms, tracks))]
    return prms, tracks, rigs, length


def footprint(rig, t):
    """The 2D oriented box (centre, axes (2, 2), half extents (2,)) of a body's skinned vertices at t."""
    v = skin(rig, t)[:, :2]
    m = rig.root(t)
    x = m[:2, 0] / np.linalg.norm(m[:2, 0])
    ax = np.stack([x, [-x[1], x[0]]])
    loc = v @ ax.T
    lo, hi = loc.min(0), loc.max(0)
    return ax.T @ ((lo + hi) / 2), ax, (hi - lo) / 2


def boxes_overlap(a, b):
    (ca, aa, ea), (cb, ab, eb) = a, b
    d = cb - ca
    for axis in np.concatenate([aa, ab]):
        ra = np.abs(aa @ axis) @ ea
        rb = np.abs(ab @ axis) @ eb
        if abs(d @ axis) > ra + rb:
            return False
    return True


def test_a_herd_keeps_its_spacing_and_its_members_never_overlap():
    _, tracks, rigs, length = herd(0, 7)
    times = np.linspace(0.0, 7.0, 15)
    for t in times:
        boxes = [footprint(r, t) for r in rigs]
        for i in range(len(rigs)):
            for j in range(i + 1, len(rigs)):
                assert not boxes_overlap(boxes[i], boxes[j]), (t, i, j)
    pos = np.stack([np.stack([tr.xy(t)[0] for tr in tracks]) for t in times])  # (T, n, 2)
    d = np.linalg.norm(pos[:, :, None] - pos[:, None], axis=-1) + np.eye(len(tracks)) * 1e9
    assert d.min() > 0.6 * HerdParams().separation * length, d.min() / length
    spread = np.linalg.norm(pos - pos[:, :1], axis=-1).max()
    assert spread < 6 * HerdParams().spacing * length, "the followers keep up with the leader"
    speeds = np.array([[tr.speed_at(t) for tr in tracks] for t in times])
    assert speeds.min() > 0.4 * 1.2 - 1e-9 and speeds.max() < 1.6 * 1.2 + 1e-9


def test_a_herd_repeats_per_seed_and_differs_between_seeds():
    a, b, c = herd(3, 6, t1=3.0)[1], herd(3, 6, t1=3.0)[1], herd(4, 6, t1=3.0)[1]
    assert all(np.array_equal(x.pos, y.pos) for x, y in zip(a, b))
    assert not np.allclose(a[1].pos, c[1].pos)


def test_a_herd_walks_around_trees_and_rocks():
    # a row of obstacles across the herd's way, 16 m ahead, and a rock behind a gap
    fwd = np.array([np.cos(0.2), np.sin(0.2)])
    side = np.array([-fwd[1], fwd[0]])
    centres = [np.r_[16 * fwd + s * side, 1.0] for s in (-7.0, 0.0, 7.0)] + [np.r_[22 * fwd + 3 * side, 0.5]]
    obstacles = Discs(centres, [1.5, 1.5, 1.5, 1.0])
    _, tracks, rigs, _ = herd(1, 6, 1.5, obstacles, t1=20.0)
    for t in np.linspace(0.0, 19.0, 20):
        for r in rigs:
            v = skin(r, t)[:, :2]
            d = np.linalg.norm(v[:, None] - obstacles.centers[None, :, :2], axis=-1)
            assert (d > obstacles.radii).all(), (t, d.min())
    moved = np.linalg.norm(tracks[0].xy(19.0)[0] - tracks[0].xy(0.0)[0])
    assert moved > 0.6 * 1.5 * 19.0, "the herd turned aside and walked on"


@pytest.mark.parametrize("speed", [0.8, 2.6])
def test_herd_feet_stay_planted_on_the_ground_with_a_cadence_that_follows_the_speed(speed):
    prms, tracks, rigs, _ = herd(2, 3, speed, t1=3.0)
    times = np.arange(0.0, 2.5, 1.0 / 40.0)
    gaps, stance = [], {}
    for p, tr, rig in zip(prms, tracks, rigs):
        assert p.gait == ("trot" if speed ** 2 / (9.81 * p.hip_height) > 0.5 else "walk")
        foot_r = rig.gait.foot_radius
        stride = p.stride * p.hip_height
        # the cadence is the member's own speed over its stride
        for t in (0.5, 1.5, 2.5):
            rate = (rig.gait.cycle(t + 1e-3) - rig.gait.cycle(t - 1e-3)) / 2e-3
            assert rate == pytest.approx(tr.speed_at(t) / stride, rel=0.05)
        for t in times:
            w = rig.bones(t)
            _, planted = rig.gait.feet(t, rig.root_at, hills)
            for leg, foot in enumerate(rig.feet_at(w)):
                if planted[leg]:
                    gaps.append(foot[2] - foot_r - float(hills(foot[:1], foot[1:2])[0]))
                    cycle = int(np.floor(rig.gait.cycle(t) + rig.gait.phase[leg]))
                    stance.setdefault((id(rig), leg, cycle), []).append(foot)
    gaps = np.abs(np.array(gaps))
    assert len(gaps) > 200 and gaps.max() < 0.03, gaps.max()
    slide = [np.linalg.norm(np.ptp(np.array(v), axis=0)) for v in stance.values() if len(v) > 2]
    assert slide and max(slide) < 0.01, max(slide)


def shot(frames=4, fps=8.0):
    from wildsynth.core.axes import look_at
    from wildsynth.core.camera import Camera, CameraRig
    from wildsynth.core.shot import Shot

    times = [(k - 1) / fps for k in range(frames + 2)]
    rigs = []
    for t in times:
        eye = np.array([0.0, 0.5 * t, hills(0.0, 0.5 * t) + 1.6])
        rigs.append(CameraRig.mono(Camera.from_hfov(96, 64, 70.0, look_at(eye, eye + np.array([0.1, 1.0, -0.1])))))
    return Shot(times, rigs, list(range(1, frames + 1)))


def test_plains_frames_get_a_herd_in_view_and_it_repeats_per_seed():
    sh = shot()
    cam = sh.reference(sh.rigs[len(sh.times) // 2].main)
    t_mid = sh.times[len(sh.times) // 2]
    only = CreatureParams(kinds=["herbivore"], counts={"herbivore": 0}, groups={"herbivore": 1})
    for seed in range(2):
        scene = Scene()
        plan = add_creatures(scene, only, sh, hills, hills, None, SeedTree(seed), "plains")
        groups = [o.params.get("group") for o in scene.objects]
        assert len(groups) >= 4 and set(groups) == {"herbivore_group.0"}, groups
        uv, z = cam.project(np.stack([r.centre(t_mid) for r in plan.motion.rigs]))
        inside = (z > 0) & (uv[:, 0] >= 0) & (uv[:, 0] < cam.width) & (uv[:, 1] >= 0) & (uv[:, 1] < cam.height)
        assert inside.sum() >= 2, inside
        speeds = {o.params["speed"] for o in scene.objects}
        assert len(speeds) == 1, "one herd, one speed"
        again = Scene()
        add_creatures(again, only, sh, hills, hills, None, SeedTree(seed), "plains")
        assert all(np.array_equal(a.geometry.vertices, b.geometry.vertices)
                   for a, b in zip(scene.objects, again.objects))
    from wildsynth.generators.creatures.placement import GROUPS

    assert GROUPS["plains"]["herbivore"] >= 1.0, "a plains frame normally shows a herd"


def test_an_insect_swarm_keeps_its_separation_and_its_height_band_and_repeats_per_seed():
    sh = shot(frames=6)
    params = CreatureParams(counts={"dragonfly": 0}, groups={"dragonfly": 1}, flock_size=(8, 8))

    def place(seed):
        scene = Scene()
        return add_creatures(scene, params, sh, hills, hills, None, SeedTree(seed), "river"), scene

    plan, scene = place(3)
    assert len(plan.kinds) >= 6 and set(plan.kinds) == {"dragonfly"}
    assert {o.params["group"] for o in scene.objects} == {"dragonfly_group.0"}
    lo, hi = CREATURES["dragonfly"].altitude
    times = np.linspace(sh.times[0], sh.times[-1], 12)
    pos = np.stack([np.stack([r.centre(t) for r in plan.motion.rigs]) for t in times])  # (T, n, 3)
    d = np.linalg.norm(pos[:, :, None] - pos[:, None], axis=-1) + np.eye(pos.shape[1]) * 1e9
    assert d.min() > 0.5 * params.swarm.separation, d.min()
    above = pos[..., 2] - hills(pos[..., 0], pos[..., 1])
    assert above.min() > lo and above.max() < hi + 1.5, (above.min(), above.max())
    assert np.linalg.norm(pos - pos.mean(1, keepdims=True), axis=-1).max() < 6.0, "a swarm, not a scatter"
    again, _ = place(3)
    other, _ = place(4)
    assert all(np.array_equal(a.bones(0.1), b.bones(0.1)) for a, b in zip(plan.motion.rigs, again.motion.rigs))
    assert not np.allclose(plan.motion.rigs[0].centre(0.1), other.motion.rigs[0].centre(0.1))


def test_group_and_herd_parameters_fail_with_one_clear_line():
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="unknown creature kind"):
        CreatureParams(groups={"dodo": 1})
    with pytest.raises(ValidationError, match="herd size"):
        HerdParams(size=(6, 3))
    with pytest.raises(ValidationError, match="herd speed"):
        HerdParams(speed=(0.0, 1.0))
    with pytest.raises(ValueError, match="does not walk in herds"):
        add_creatures(Scene(), CreatureParams(counts={"snake": 0}, groups={"snake": 1}), shot(), hills, hills, None,
                      SeedTree(0), "plains")
