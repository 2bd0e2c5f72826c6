"""Creatures: every registered kind builds, is closed and skinned, animates, repeats per seed; deforming-mesh
point motion is exact; planted feet stay on the ground; parameters fail with clear errors."""

import numpy as np
import pytest
from pydantic import ValidationError

from wildsynth.core.motion import MotionSet, Skinned, skin
from wildsynth.core.surface import closest_barycentric, locate
from wildsynth.generators.creatures import CREATURES, Place, get
from wildsynth.generators.creatures.placement import BIOMES, CreatureParams, GridGround, _counts
from wildsynth.generators.motion import MotionParams


def hills(x, y):
    x, y = np.asarray(x, float), np.asarray(y, float)
    return 0.15 * np.sin(0.4 * x) + 0.1 * np.cos(0.3 * y) + 0.05 * x


def rig_of(name, seed=0, xy=(0.0, 0.0), heading=0.3):
    kind = CREATURES[name]
    p = kind.sample(np.random.default_rng(seed))
    z = {"air": 8.0, "water": 1.0}.get(kind.habitat) if kind.altitude is None else 1.0
    return kind, p, kind.make(p, np.random.default_rng(seed + 1), Place(np.array(xy), heading, hills, z))


def test_the_issue_kinds_are_registered_with_their_classes_and_palettes():
    from wildsynth.materials.creature_skin import PALETTES

    assert {"herbivore", "carnivore", "bird", "fish", "snake", "dragonfly", "jellyfish", "crab"} <= set(CREATURES)
    assert CREATURES["dragonfly"].semantic == "insect" and CREATURES["crab"].habitat == "seabed"
    assert all(k.palette in PALETTES for k in CREATURES.values())
    with pytest.raises(KeyError, match="unknown creature 'unicorn'"):
        get("unicorn")


@pytest.mark.parametrize("name", sorted(CREATURES))
def test_every_kind_builds_a_closed_skinned_body_and_animates(name):
    kind, p, rig = rig_of(name)
    mesh = rig.body.mesh
    assert 300 <= mesh.n_triangles <= 8000
    # closed: every undirected edge shared by exactly two faces, each direction once (consistent winding)
    f = mesh.faces.astype(np.int64)
    directed = np.concatenate([f[:, [0, 1]], f[:, [1, 2]], f[:, [2, 0]]])
    assert len(np.unique(directed, axis=0)) == len(directed)
    _, counts = np.unique(np.sort(directed, 1), axis=0, return_counts=True)
    assert np.all(counts == 2)
    w = rig.bone_weight
    assert np.allclose(w.sum(1), 1.0) and (w >= 0).all()
    assert rig.bone_index.max() < len(rig.body.skeleton)
    v0, v1 = skin(rig, 0.0), skin(rig, 0.4)
    assert np.isfinite(v0).all() and np.isfinite(v1).all()
    assert np.abs(v1 - v0).max() > 0.01, "it moves"
    r = kind.size(p)
    centre = rig.root(0.0)[:3, 3]
    assert np.linalg.norm(v0 - centre, axis=1).max() < 2.0 * r + 0.5, "size() bounds the body"
    # the deformation is not rigid: no single transform maps t=0 onto t=0.4 (least squares residual)
    a, b = v0 - v0.mean(0), v1 - v1.mean(0)
    u, _, vt = np.linalg.svd(a.T @ b)
    rot = (u @ vt).T
    assert np.abs(a @ rot.T - b).max() > 0.005


@pytest.mark.parametrize("name", sorted(CREATURES))
def test_same_seed_same_creature_other_seed_another(name):
    _, p0, r0 = rig_of(name, 3)
    _, p1, r1 = rig_of(name, 3)
    _, p2, r2 = rig_of(name, 4)
    assert p0 == p1 and p0 != p2
    assert np.array_equal(skin(r0, 0.7), skin(r1, 0.7))


def test_locate_finds_the_exact_closest_triangle():
    _, _, rig = rig_of("herbivore")
    v = skin(rig, 0.2)
    f = rig.faces.astype(np.int64)
    rng = np.random.default_rng(0)
    q = rng.normal(size=(300, 3)) * 0.3 + v.mean(0)
    tri, bary, d = locate(q, v, f)
    tris = v[f]  # brute force over every triangle
    best = np.full(len(q), np.inf)
    for k in range(0, len(f), 500):
        c = tris[k:k + 500]
        qq = np.repeat(q, len(c), 0)
        cc = np.tile(c, (len(q), 1, 1))
        b = closest_barycentric(qq, cc[:, 0], cc[:, 1], cc[:, 2])
        dist = np.linalg.norm(np.einsum("nk,nkd->nd", b, cc) - qq, axis=1).reshape(len(q), len(c))
        best = np.minimum(best, dist.min(1))
    assert np.allclose(d, best, atol=1e-12)
    assert np.allclose(bary.sum(1), 1.0) and (bary >= -1e-12).all()


@pytest.mark.parametrize("name", ["herbivore", "bird", "fish", "snake"])
def test_move_points_carries_surface_points_by_their_triangle(name):
    _, _, rig = rig_of(name)
    motion = Skinned([7], [rig])
    ta, tb = 0.3, 0.55
    va, vb = motion.vertices(ta)[0], motion.vertices(tb)[0]
    f = rig.faces.astype(np.int64)
    rng = np.random.default_rng(1)
    tri = rng.integers(0, len(f), 2000)
    bary = rng.dirichlet((1.0, 1.0, 1.0), 2000)
    pa = np.einsum("nk,nkd->nd", bary, va[f[tri]]).astype(np.float32).astype(np.float64)  # depth precision
    expect = np.einsum("nk,nkd->nd", bary, vb[f[tri]])
    got = MotionSet([motion]).move_points(np.full(2000, 7, np.uint32), pa, ta, tb)
    err = np.linalg.norm(got - expect, axis=1)
    assert np.percentile(err, 99) < 1e-4 and err.max() < 5e-3, (np.percentile(err, 99), err.max())
    # and back again
    back = motion.move_points(np.full(2000, 7, np.uint32), got, tb, ta)
    assert np.percentile(np.linalg.norm(back - pa, axis=1), 99) < 1e-4


def test_a_deforming_set_has_no_rigid_lookup():
    _, _, rig = rig_of("fish")
    ms = MotionSet([Skinned([1], [rig])])
    assert not ms.rigid and len(ms.deforming) == 1 and len(ms.rigid_deltas(0.0)[0]) == 0
    with pytest.raises(ValueError, match="deforming meshes"):
        ms.lookup(1, 0.0, 0.1)


@pytest.mark.parametrize("name", ["herbivore", "carnivore", "crab"])
def test_planted_feet_stay_on_the_ground_and_do_not_slide(name):
    _, p, rig = rig_of(name, 5)
    foot_r = rig.gait.foot_radius
    times = np.arange(0.0, 3.0, 1.0 / 60.0)
    stance_pos = {}
    gaps = []
    for t in times:
        w = rig.bones(t)
        _, planted = rig.gait.feet(t - rig.t0, rig.root_at, hills)
        for leg, foot in enumerate(rig.feet_at(w)):
            if planted[leg]:
                gaps.append(foot[2] - foot_r - float(hills(foot[:1], foot[1:2])[0]))
                cycle = int(np.floor(rig.gait.frequency * t + rig.gait.phase[leg]))
                stance_pos.setdefault((leg, cycle), []).append(foot)
    gaps = np.abs(np.array(gaps))
    assert len(gaps) > 100 and gaps.max() < 0.03, gaps.max()
    slide = [np.linalg.norm(np.ptp(np.array(v), axis=0)) for v in stance_pos.values() if len(v) > 2]
    assert slide and max(slide) < 0.01, max(slide)
    # the lowest vertices of the body are near the ground, none deep inside it
    v = skin(rig, 1.0)
    below = v[:, 2] - hills(v[:, 0], v[:, 1])
    assert below.min() > -0.06 and np.percentile(below, 1) < 0.1


def test_grid_ground_interpolates_the_height_function():
    g = GridGround(hills, np.array([-10.0, -10.0]), np.array([10.0, 10.0]), 0.1)
    x, y = np.random.default_rng(0).uniform(-9, 9, (2, 500))
    assert np.abs(g(x, y) - hills(x, y)).max() < 1e-3
    assert np.allclose(g(np.array([30.0]), np.array([0.0])), hills(30.0, 0.0))  # outside: the function


def test_parameters_fail_with_one_clear_line():
    with pytest.raises(ValidationError, match="unknown creature kind"):
        CreatureParams(kinds=["dodo"])
    with pytest.raises(ValidationError, match="density"):
        MotionParams.model_validate({"creatures": {"density": -1}})
    with pytest.raises(ValidationError, match="hip_height"):
        CREATURES["herbivore"].params(hip_height=-1.0)


def test_density_scales_the_biome_counts_and_zero_means_none():
    rng = np.random.default_rng(0)
    table = BIOMES["plains"]
    assert sum(_counts(CreatureParams(density=0.0), table, rng).values()) == 0
    many = [sum(_counts(CreatureParams(), table, np.random.default_rng(s)).values()) for s in range(200)]
    assert abs(np.mean(many) - sum(table.values())) < 0.3
    assert _counts(CreatureParams(counts={"bird": 2}), table, rng) == {"bird": 2}
    assert all(k in CREATURES for b in BIOMES.values() for k in b)


def walk_shot(frames=4, fps=8.0, size=(96, 64)):
    from wildsynth.core.axes import look_at
    from wildsynth.core.camera import Camera, CameraRig
    from wildsynth.core.shot import Shot

    times = [(k - 1) / fps for k in range(frames + 2)]
    rigs = []
    for t in times:
        eye = np.array([0.0, 0.5 * t, hills(0.0, 0.5 * t) + 1.6])
        rigs.append(CameraRig.mono(Camera.from_hfov(*size, 70.0, look_at(eye, eye + np.array([0.1, 1.0, -0.1])))))
    return Shot(times, rigs, list(range(1, frames + 1)))


def test_default_plains_animals_are_in_view_clear_of_obstacles_and_each_other():
    from wildsynth.camera.placement import Obstacles
    from wildsynth.core.scene import Scene
    from wildsynth.core.seeds import SeedTree
    from wildsynth.generators.creatures.placement import add_creatures

    shot = walk_shot()
    obstacles = Obstacles(np.array([[2.0, 12.0, 4.0], [-4.0, 20.0, 4.0]]), np.array([3.0, 3.0]))
    seen_herbivores, birds = [], 0
    for seed in range(3):
        scene = Scene()
        plan = add_creatures(scene, CreatureParams(), shot, hills, hills, obstacles, SeedTree(seed), "plains")
        cam = shot.reference(shot.rigs[len(shot.times) // 2].main)
        t_mid = shot.times[len(shot.times) // 2]
        n_in = 0
        for rig, kind in zip(plan.motion.rigs, plan.kinds):
            uv, z = cam.project(rig.centre(t_mid)[None])
            inside = z[0] > 0 and 0 <= uv[0, 0] < cam.width and 0 <= uv[0, 1] < cam.height
            n_in += kind == "herbivore" and inside
            birds += kind == "bird"
            path = np.stack([rig.centre(t) for t in shot.times])
            assert (np.linalg.norm(path[:, None] - obstacles.centers[None], axis=-1) > obstacles.radii).all()
            if kind == "bird":
                assert (path[:, 2] - hills(path[:, 0], path[:, 1]) > 4.0).all()
        seen_herbivores.append(n_in)
        objs = [o for o in scene.objects if o.generator.startswith("creatures.")]
        assert [o.instance_id for o in objs] == plan.motion.ids.tolist()
        assert all(o.semantic == o.params["kind"] for o in objs)
    assert np.mean(seen_herbivores) >= 2.5 and min(seen_herbivores) >= 1, seen_herbivores
    assert birds >= 3
    assert add_creatures(Scene(), CreatureParams(density=0.0), shot, hills, hills, None, SeedTree(0), "plains") is None


def test_the_underwater_hook_puts_fish_and_jellyfish_in_the_water_and_crabs_on_the_bed():
    from wildsynth.core.scene import Scene
    from wildsynth.core.seeds import SeedTree
    from wildsynth.generators.creatures.placement import add_aquatic

    def seabed(x, y):
        return hills(x, y) - 4.0

    shot = walk_shot()
    scene = Scene()
    plan = add_aquatic(scene, CreatureParams(), shot, seabed, 0.0, None, SeedTree(1))
    assert {"fish", "jellyfish", "crab"} <= set(plan.kinds) and plan.kinds.count("fish") >= 4
    for rig, kind in zip(plan.motion.rigs, plan.kinds):
        v = skin(rig, shot.times[2])
        bed = seabed(v[:, 0], v[:, 1])
        assert (v[:, 2] < 0.0).all(), f"{kind} leaves the water"
        if kind == "crab":
            assert np.percentile(v[:, 2] - bed, 1) < 0.05 and (v[:, 2] - bed).min() > -0.03
        else:
            assert (v[:, 2] > bed).all(), f"{kind} is in the bed"


def test_boids_flocks_keep_their_separation_stay_together_and_repeat_per_seed():
    from wildsynth.generators.creatures.flock import BoidParams, simulate

    bp = BoidParams(separation=1.5, radius=6.0)

    def run(seed):
        return simulate(10, np.array([0.0, 0.0, 12.0]), 0.4, 8.0, 0.0, 3.0, np.random.default_rng(seed), bp, hills,
                        4.0)

    a, b, c = run(0), run(0), run(1)
    assert all(np.array_equal(x.pos, y.pos) for x, y in zip(a, b))
    assert not np.array_equal(a[0].pos, c[0].pos)
    pos = np.stack([m.pos for m in a], 1)  # (S, n, 3)
    late = pos[len(pos) // 3:]
    d = np.linalg.norm(late[:, :, None] - late[:, None], axis=-1) + np.eye(10) * 1e9
    assert d.min() > 0.5 * bp.separation, d.min()
    spread = np.linalg.norm(late - late.mean(1, keepdims=True), axis=-1).max()
    assert spread < 12.0, "cohesion holds the flock together"
    assert (pos[..., 2] - hills(pos[..., 0], pos[..., 1]) > 2.0).all(), "above the terrain"
    # the interpolated path passes the samples and is smooth between them
    m = a[3]
    assert np.allclose(m.frame(m.times[40])[:3, 3], m.pos[40])
    t = np.linspace(0.5, 2.5, 400)
    p = np.stack([m.frame(x)[:3, 3] for x in t])
    acc = np.diff(p, 2, axis=0) / (t[1] - t[0]) ** 2
    assert np.abs(acc).max() < 3 * bp.max_accel


def test_a_plains_flock_is_placed_as_separate_birds_of_one_group():
    from wildsynth.core.scene import Scene
    from wildsynth.core.seeds import SeedTree
    from wildsynth.generators.creatures.placement import add_creatures

    shot = walk_shot()
    scene = Scene()
    plan = add_creatures(scene, CreatureParams(flocks=4.0, kinds=["bird"]), shot, hills, hills, None, SeedTree(2),
                         "plains")
    groups = [o.params.get("group") for o in scene.objects if o.generator == "creatures.bird"]
    named = [g for g in groups if g]
    assert len(named) >= 5 and len(set(named)) >= 1
    assert len(plan.motion.ids) == len(groups) and len(set(plan.motion.ids.tolist())) == len(groups)


def test_placement_repeats_per_seed_and_ignores_the_output_size():
    from wildsynth.core.scene import Scene
    from wildsynth.core.seeds import SeedTree
    from wildsynth.generators.creatures.placement import add_creatures

    def meshes(size, seed):
        scene = Scene()
        add_creatures(scene, CreatureParams(counts={"herbivore": 2, "bird": 1}), walk_shot(size=size), hills, hills,
                      None, SeedTree(seed), "plains")
        return [o.geometry.vertices for o in scene.objects]

    a, b, c = meshes((96, 64), 5), meshes((320, 213), 5), meshes((96, 64), 6)
    assert len(a) == 3 and all(np.array_equal(x, y) for x, y in zip(a, b))
    assert not np.array_equal(a[0], c[0])
