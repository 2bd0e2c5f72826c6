import numpy as np
import pytest

from wildsynth.core import Instances, MaterialRef, Mesh, Object, Scene, SeedTree
from wildsynth.core.labels import label
from wildsynth.generators.ecology import GRASS_CELL, Vegetation, add_vegetation, biome_params
from wildsynth.run import compose
from wildsynth.scenes import get

pytestmark = pytest.mark.blender  # renders with Cycles

SMALL = {"area_radius": 30.0, "grass_density": 0.3}


def build(name, seed=0, over=None, size=(96, 64)):
    r = get(name)
    params = r.params.model_validate({**(SMALL if name == "forest" else {}), **(over or {})})
    _c = compose(r, params, SeedTree(seed), *size)
    return _c.scene, _c.rig, _c.report


@pytest.fixture(scope="module")
def forest():
    return build("forest", 0)


def test_forest_is_deterministic(forest):
    scene, rig, _ = forest
    again, rig2, _ = build("forest", 0)
    assert np.array_equal(rig.main.cam_to_world, rig2.main.cam_to_world)
    assert [o.name for o in scene.objects] == [o.name for o in again.objects]
    for a, b in zip(scene.objects, again.objects):
        if a.is_instanced:
            assert np.array_equal(a.geometry.transforms, b.geometry.transforms)
            assert np.array_equal(a.geometry.ids, b.geometry.ids)
            assert np.array_equal(a.geometry.mesh.vertices, b.geometry.mesh.vertices)


def test_forest_contents_and_labels(forest):
    scene, _, rep = forest
    counts = rep["vegetation"]["counts"]
    assert counts["trees"] >= 20 and counts["grass_blades"] > 1000 and counts["ferns"] > 0
    assert counts["grass_blades"] == counts["grass"] * biome_params("forest_mixed").grass_tuft.blades
    classes = {o.semantic for o in scene.objects}
    assert {"terrain", "tree", "bush", "grass", "fern"} <= classes
    for o in scene.objects:
        if o.is_instanced:
            assert np.all(np.isfinite(o.geometry.transforms))
    # leaves carry their tree's id: no new ids, and the class of those ids is tree/bush
    lut = scene.id_to_class()
    wood_ids = set()
    for o in scene.objects:
        if o.semantic in ("tree", "bush") and o.id_groups is None:
            wood_ids |= set(o.ids.tolist())
    leafy = [o for o in scene.objects if isinstance(o.id_groups, str)]
    assert leafy
    for o in leafy:
        assert set(np.unique(o.ids).tolist()) <= wood_ids
        assert np.all(lut[o.ids] == label(o.semantic).id)
    # objects.json: one row per id, ids unique and dense; grass shares ids per patch
    rows = scene.object_table()
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids)) == scene.n_ids
    assert sorted(ids) == list(range(1, scene.n_ids + 1))
    grass_rows = sum(r["class"] == "grass" for r in rows)
    tuft_xy = np.concatenate([o.geometry.transforms[:, :2, 3] for o in scene.objects if o.semantic == "grass"])
    cells = np.unique(np.floor(tuft_xy / GRASS_CELL), axis=0)
    assert 0 < grass_rows == len(cells) < len(tuft_xy)


def test_large_objects_never_intersect():
    for biome in ("forest_mixed", "desert", "mountain"):
        p = biome_params(biome)
        p.area_radius = 40.0
        veg = Vegetation(p, lambda x, y: 0.02 * np.asarray(x), lambda x, y: np.stack(
            [np.full(np.shape(x), -0.02), np.zeros(np.shape(x)), np.ones(np.shape(x))], -1) / np.sqrt(1.0004),
            SeedTree(1).child(biome))
        veg.plan()
        xy = np.concatenate([g["xy"] for g in veg._large])
        r = np.concatenate([g["radius"] for g in veg._large])
        assert len(xy) > 10
        d = np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1])
        np.fill_diagonal(d, np.inf)
        assert np.all(d >= r[:, None] + r[None, :] - 1e-9), biome


def test_instance_counts_follow_density_parameters():
    def counts(grass, flowers, seed=3):
        p = biome_params("plains")
        p.trees = p.bushes = p.boulders = p.dry_grass = None
        p.grass.niche.density, p.flowers.niche.density = grass, flowers
        scene = Scene()
        veg = Vegetation(p, lambda x, y: np.zeros(np.shape(x)),
                         lambda x, y: np.stack([np.zeros(np.shape(x))] * 2 + [np.ones(np.shape(x))], -1),
                         SeedTree(seed))
        return veg.build(scene)["counts"], scene

    a, _ = counts(2.0, 0.5)
    b, scene = counts(4.0, 0.0)
    assert 1.7 < b["grass"] / a["grass"] < 2.3
    assert a["flowers"] > 0 and b.get("flowers", 0) == 0
    assert sum(len(o.geometry) for o in scene.objects if o.semantic == "grass") == b["grass"]
    assert b["grass_blades"] == b["grass"] * biome_params("plains").grass_tuft.blades


def test_exact_tree_count_and_lod(forest):
    # at the reference size (at 96x64 every tree takes the sparsest crowns)
    scene, rig, rep = build("forest", 2, {"trees": 25, "grass_density": 0.05}, size=(1280, 720))
    assert rep["vegetation"]["counts"]["trees"] == 25
    eye = rig.main.position
    # coarser trees are farther away on average
    dist = {lv: [] for lv in range(4)}
    for o in scene.objects:
        if o.semantic == "tree" and o.id_groups is None:
            lv = o.params["lod"]
            dist[lv] += list(np.hypot(*(o.geometry.transforms[:, :2, 3] - eye[:2]).T))
    assert dist[0] and dist[2] and np.mean(dist[0]) < np.mean(dist[2])


class FlatField:
    def height(self, x, y):
        return np.zeros(np.shape(x))

    def normal(self, x, y):
        return np.stack([np.zeros(np.shape(x))] * 2 + [np.ones(np.shape(x))], -1)


class RiverField(FlatField):
    """Flat ground with a river along the y axis (|x| < 3 m) and snow beyond x > 20 m."""

    def water_level(self, x, y):
        return np.where(np.abs(np.asarray(x)) < 3.0, 0.2, -np.inf)

    def masks(self, x, y, z, normals):
        x = np.asarray(x)
        return {"moisture": np.clip(1.0 - np.abs(x) / 10.0, 0, 1), "water_dist": np.maximum(np.abs(x) - 3.0, 0.0),
                "snow": (x > 20.0).astype(float)}


def test_vegetation_follows_terrain_masks():
    p = biome_params("river")
    p.area_radius = 30.0
    p.trees = p.bushes = p.logs = None
    p.ferns.niche.water_dist_max = 6.0  # riverbank ferns only
    scene = Scene()
    veg = Vegetation(p, RiverField().height, RiverField().normal, SeedTree(2), masks=RiverField().masks,
                     water_level=RiverField().water_level)
    veg.build(scene)
    for o in scene.objects:
        x = o.geometry.transforms[:, 0, 3]
        assert np.all(np.abs(x) >= 3.0 - 0.6)  # nothing grows in the river
        assert np.all(x <= 20.6)  # nor in the snow
        if o.semantic == "fern":
            assert np.all(np.abs(x) <= 9.6)


@pytest.mark.parametrize("biome", ["desert", "mountain", "river", "arctic"])
def test_add_vegetation_for_other_biomes(biome):
    scene = Scene()
    ground = Mesh(np.array([[-50, -50, 0], [50, -50, 0], [0, 50, 0]], float), np.array([[0, 1, 2]]))
    scene.add(Object("ground", ground, MaterialRef("rock"), semantic="terrain", generator="test"))
    p = biome_params(biome)
    p.area_radius = 25.0
    if biome == "river":
        p.water_level = -0.5
    rep = add_vegetation(scene, p, FlatField(), SeedTree(0).child(biome))
    assert sum(v for k, v in rep["counts"].items() if not k.endswith("instances")) > 0
    classes = {o.semantic for o in scene.objects}
    if biome == "desert":
        assert "cactus" in classes
    assert len(scene.object_table()) == scene.n_ids


def test_leaves_render_with_their_tree_id():
    """A tiny Cycles GT render: leaf pixels carry the tree's id, never an id of their own."""
    from conftest import render_gt

    from wildsynth.core.axes import look_at
    from wildsynth.core.camera import Camera, CameraRig
    from wildsynth.generators.plants.trees import TreeParams, grow_tree

    t = grow_tree(TreeParams(species="broadleaf", height=6.0), np.random.default_rng(0))
    scene = Scene()
    wood = scene.add(Object("tree", Instances(t.wood, np.eye(4)[None]), MaterialRef("bark"), semantic="tree",
                            generator="test"))
    scene.add(Object("leaves", Instances(t.leaf_mesh, t.leaves, np.repeat(wood.ids, len(t.leaves))),
                     MaterialRef("leaf"), semantic="tree", generator="test", id_groups="given"))
    scene.add(Object("other", Mesh(np.array([[20, 0, 0], [21, 0, 0], [20, 0, 1]], float), np.array([[0, 1, 2]])),
                     MaterialRef("rock"), semantic="rock", generator="test"))
    cam = Camera.from_hfov(48, 48, 60.0, look_at([0.0, -8.0, 3.5], [0.0, 0.0, 3.5]))
    gt = render_gt(scene, CameraRig.mono(cam), size=(48, 48))
    ids = set(np.unique(gt.instance).tolist())
    assert ids <= {0, int(wood.ids[0]), 3}
    assert (gt.instance == wood.ids[0]).mean() > 0.1


def test_terrain_scenes_carry_their_biome_vegetation():
    from wildsynth.core import SeedTree
    from wildsynth.scenes import get

    recipe = get("desert")
    _c = compose(recipe, recipe.params(), SeedTree(0), 96, 64)
    scene, _, _ = _c.scene, _c.rig, _c.report
    classes = {o.semantic for o in scene.objects}
    assert "cactus" in classes
    _c = compose(recipe, recipe.params(vegetation=0.0), SeedTree(0), 96, 64)
    bare, _, _ = _c.scene, _c.rig, _c.report
    assert "cactus" not in {o.semantic for o in bare.objects}
    assert bare.objects[0].geometry.vertices.tobytes() == scene.objects[0].geometry.vertices.tobytes()


def test_grass_density_grows_tufts_then_their_number():
    from wildsynth.generators.ecology import scale_grass
    from wildsynth.scenes.forest import ForestParams

    def blades_per_m2(v):
        return v.grass.niche.density * v.grass_tuft.blades, v.grass_tuft.blades

    def scaled(k):
        v = biome_params("plains")
        scale_grass(v, k)
        return v

    for make in (lambda k: ForestParams(grass_density=k).vegetation_params(), scaled):
        base, blades1 = blades_per_m2(make(1.0))
        for k, tuft_blades in ((0.5, blades1), (2.0, 2 * blades1), (30.0, 4 * blades1)):
            per_m2, b = blades_per_m2(make(k))
            assert b == tuft_blades and per_m2 == pytest.approx(k * base)


def test_plains_grass_density_counts_blades():
    recipe = get("plains")
    _c = compose(recipe, recipe.params(grass_density=1.0), SeedTree(3), 96, 64)
    _, _, rep1 = _c.scene, _c.rig, _c.report
    _c = compose(recipe, recipe.params(grass_density=2.0), SeedTree(3), 96, 64)
    _, _, rep2 = _c.scene, _c.rig, _c.report
    a, b = rep1["vegetation"]["counts"], rep2["vegetation"]["counts"]
    assert 1.7 < b["grass_blades"] / a["grass_blades"] < 2.3  # twice the blades ...
    assert 0.8 < b["grass"] / a["grass"] < 1.2  # ... in about as many, bigger tufts
