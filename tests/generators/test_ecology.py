"""Ecology: the plant-family registry, biome presets, and vegetation for every camera of a shot.

The one-camera output is pinned (tests/generators/data/vegetation_seed0.json: forest, plains and
desert at seed 0, 64x48). The inputs and the first pin were made by data/dump_head.py on git
d880b1a, before the registry and the multi-camera build existed; the rows were re-pinned by
data/repin_vegetation.py when the plants themselves changed on purpose (per-blade grass colours
and shapes, per-leaf colour variation: new meshes, the same placements). The fixture holds the
camera and the inputs, so the vegetation is replayed without the scene recipes.
"""

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest

from wildsynth.core.axes import look_at
from wildsynth.core.camera import Camera
from wildsynth.core.labels import label
from wildsynth.core.mesh import Mesh
from wildsynth.core.scene import MaterialRef, Scene
from wildsynth.core.seeds import SeedTree
from wildsynth.core.shot import REFERENCE_SIZE, at_resolution
from wildsynth.generators.ecology import (
    BIOMES,
    FAMILIES,
    Family,
    SmallLayer,
    TreeLayer,
    Vegetation,
    VegetationParams,
    Views,
    add_vegetation,
    biome_params,
    families,
    get_family,
    register,
    view_hfov,
)
from wildsynth.generators.scatter import Niche
from wildsynth.materials import RECIPES

FIXTURE = json.loads((Path(__file__).parent / "data" / "vegetation_seed0.json").read_text())


def sha(a) -> str:
    return hashlib.sha1(np.ascontiguousarray(a).tobytes()).hexdigest()


def rows(scene: Scene) -> list[dict]:
    out = []
    for o in scene.objects:
        g = o.geometry
        ids = g.ids.astype(np.int64)
        out.append({"name": o.name, "semantic": o.semantic, "generator": o.generator, "n": len(g),
                    "transforms_dtype": str(g.transforms.dtype), "transforms_sha1": sha(g.transforms),
                    "mesh_sha1": sha(g.mesh.vertices), "ids_sha1": sha(ids.astype(np.uint32)),
                    "ids_min": int(ids.min()), "ids_max": int(ids.max()), "n_unique_ids": len(np.unique(ids)),
                    "id_groups": "given" if isinstance(o.id_groups, str) else
                    (None if o.id_groups is None else "groups")})
    return out


class Ground:
    """Gently rolling analytic ground."""

    def height(self, x, y):
        x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
        return 0.02 * x + 0.4 * np.sin(y / 9.0)

    def normal(self, x, y):
        x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
        n = np.stack([np.full(x.shape, -0.02), -0.4 / 9.0 * np.cos(y / 9.0), np.ones(x.shape)], -1)
        return n / np.linalg.norm(n, axis=-1, keepdims=True)


GROUND = Ground()


def camera(eye_xy, target_xy, hfov=75.0, size=(96, 64)) -> Camera:
    eye = np.array([eye_xy[0], eye_xy[1], GROUND.height(eye_xy[0], eye_xy[1]) + 1.7])
    tgt = np.array([target_xy[0], target_xy[1], GROUND.height(target_xy[0], target_xy[1]) + 1.0])
    return Camera.from_hfov(size[0], size[1], hfov, look_at(eye, tgt))


def ring(n=8, radius=6.0, hfov=75.0, size=(96, 64)) -> list[Camera]:
    a = 2 * np.pi * np.arange(n) / n
    return [camera((radius * np.cos(t), radius * np.sin(t)), (0.0, 0.0), hfov, size) for t in a]


def plains(grass=3.0, radius=30.0) -> VegetationParams:
    p = biome_params("plains")
    p.area_radius = radius
    p.grass.niche.density = grass
    return p


def build(params, cameras, seed=0) -> tuple[Scene, dict]:
    scene = Scene()
    veg = Vegetation(params, GROUND.height, GROUND.normal, SeedTree(seed).child("veg"))
    veg.plan()
    return scene, veg.build(scene, cameras)


def positions(scene: Scene, semantic: str) -> np.ndarray:
    xy = [o.geometry.transforms[:, :2, 3] for o in scene.objects if o.semantic == semantic]
    return np.concatenate(xy) if xy else np.zeros((0, 2))


def angle_off(cam: Camera, xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Horizontal distance from the eye and absolute angle off the camera's heading."""
    e, f = cam.position, cam.cam_to_world[:3, 2]
    d = np.hypot(xy[:, 0] - e[0], xy[:, 1] - e[1])
    ang = np.arctan2(xy[:, 1] - e[1], xy[:, 0] - e[0]) - np.arctan2(f[1], f[0])
    return d, np.abs((ang + np.pi) % (2 * np.pi) - np.pi)


# -- one camera: exactly what it was ---------------------------------------------------------

def replay(e: dict) -> Scene:
    """The vegetation of one fixture entry, replayed on its field and camera with the current code."""
    from wildsynth.generators.terrain import Heightfield, TerrainParams
    from wildsynth.generators.terrain import landforms as lf
    from wildsynth.generators.terrain.erosion import ErosionParams
    from wildsynth.generators.terrain.field import (
        CoverParams,
        GridParams,
        LakesParams,
        RiverTraceParams,
        TerrainField,
    )

    seeds = SeedTree(FIXTURE["seed"]).child("scene")
    # at the reference pixel size, so the levels of detail are the distance-only ones the fixture has
    cam = at_resolution(Camera.from_dict(e["camera"]), *REFERENCE_SIZE)
    vp = VegetationParams.model_validate(e["veg"])
    scene = Scene()
    if e["kind"] == "heightfield":
        field = Heightfield(TerrainParams.model_validate(e["terrain"]), seeds.child("terrain"))
        veg = Vegetation(vp, field.height, field.normal, seeds.child("vegetation"))
        veg.plan()
        veg.build(scene, cam)
    else:
        P = lf.LANDFORMS[e["terrain"]["kind"]].params
        field = TerrainField(P.model_validate(e["terrain"]), seeds.child("terrain"),
                             GridParams.model_validate(e["grid"]), ErosionParams.model_validate(e["erosion"]),
                             CoverParams.model_validate(e["cover"]), LakesParams.model_validate(e["lakes"]),
                             RiverTraceParams.model_validate(e["river"]))
        add_vegetation(scene, vp, field, seeds.child("vegetation"), [cam], centre=tuple(e["centre"]),
                       clear_ahead=e["clear_ahead"])
    return scene


@pytest.mark.parametrize("name", ["forest", "plains", "desert"])
def test_one_camera_places_exactly_what_it_did_before(name):
    e = FIXTURE["scenes"][name]
    scene = replay(e)
    got = rows(scene)
    assert [r["name"] for r in got] == [r["name"] for r in e["objects"]]
    # trees and bushes now take their ids in planning order (reserve_ids), not object by object, so that
    # the ids never depend on the levels of detail: the same block of ids, spread differently
    per_id = ("ids_sha1", "ids_min", "ids_max")
    blocks_got, blocks_old = {}, {}
    for a, b in zip(got, e["objects"]):
        kind = a["name"].split(".")[0]
        if kind in ("trees", "bushes"):
            for blocks, r in ((blocks_got, a), (blocks_old, b)):
                lo, hi = blocks.get(kind, (np.inf, -np.inf))
                blocks[kind] = (min(lo, r["ids_min"]), max(hi, r["ids_max"]))
            a, b = ({k: v for k, v in r.items() if k not in per_id} for r in (a, b))
        assert a == b, a["name"]
    assert blocks_got == blocks_old
    assert sum(r["n"] for r in got) > 500


def test_tree_detail_follows_the_pixel_size_but_never_the_ids():
    p = biome_params("forest_mixed")
    p.area_radius = 40.0
    big = camera((0.0, 0.0), (30.0, 5.0), size=(1280, 720))
    small = at_resolution(big, 96, 64)
    sb, _ = build(p, big, seed=2)
    ss, _ = build(p, small, seed=2)

    def trees(scene):
        out = {}
        for o in scene.objects:
            if o.semantic == "tree" and o.id_groups is None:
                for i, t in zip(o.geometry.ids, o.geometry.transforms):
                    out[int(i)] = (o.params["lod"], t.tobytes())
        return out

    tb, ts = trees(sb), trees(ss)
    assert tb.keys() == ts.keys() and len(tb) > 10
    assert all(tb[i][1] == ts[i][1] for i in tb)  # same tree, same id, same place
    assert {v[0] for v in ts.values()} == {3}  # a 96 px image gets the sparsest crowns only
    assert len({v[0] for v in tb.values()} - {3}) >= 2


def test_a_static_shot_is_one_view():
    cam = camera((0.0, 0.0), (10.0, 3.0))
    one, _ = build(plains(), cam)
    many, _ = build(plains(), [cam] * 5)
    assert rows(one) == rows(many)


# -- every camera of a shot ------------------------------------------------------------------

def test_a_ring_of_cameras_gets_grass_in_every_view():
    cams = ring()
    multi, rep = build(plains(), cams)
    single, _ = build(plains(), cams[0])
    grass = positions(multi, "grass")
    for k, cam in enumerate(cams):  # grass within 15 m in the true field of view of every camera
        d, ang = angle_off(cam, grass)
        assert np.sum((d < 15.0) & (ang < view_hfov(cam) / 2)) > 50, k
    # the old single-camera dressing leaves everything behind the first camera bare ...
    behind = Views.of(cams[0]).halves[0]
    d0, a0 = angle_off(cams[0], positions(single, "grass"))
    assert len(d0) > 50 and not np.any(a0 > behind + 1e-9)
    # ... which the shot's union fills
    d1, a1 = angle_off(cams[0], grass)
    assert np.sum(a1 > behind) > 200
    # every small plant is within reach and view of some camera; flowers too
    views = Views.of(cams)
    for sem, reach in (("grass", 45.0), ("flower", 40.0)):
        xy = positions(multi, sem)
        assert len(xy) and np.all(views.inside(xy, reach + 1e-9)), sem
    assert rep["counts"]["grass_blades"] == rep["counts"]["grass"] * biome_params("plains").grass_tuft.blades


def test_thinning_follows_the_nearest_camera():
    """Two cameras 60 m apart looking the same way: the grass is as dense near the second
    camera as near the first (one camera alone thins it out there)."""
    a, b = camera((0.0, 0.0), (0.0, 50.0)), camera((60.0, 0.0), (60.0, 50.0))
    multi, _ = build(plains(grass=2.0, radius=20.0), [a, b])
    single, _ = build(plains(grass=2.0, radius=20.0), [a])

    def near(scene, cam):
        d, ang = angle_off(cam, positions(scene, "grass"))
        return int(np.sum((d < 8.0) & (ang < 0.5)))

    na, nb = near(multi, a), near(multi, b)
    assert na > 30 and 0.6 < nb / na < 1.6
    assert near(single, b) == 0  # 60 m from the only camera: beyond the grass's reach


def test_tree_detail_follows_the_nearest_camera_and_coarsens_only_behind_every_camera():
    p = biome_params("forest_mixed")
    p.area_radius = 40.0
    for name in ("bushes", "logs", "boulders", "grass", "ferns", "mushrooms", "twigs", "cones", "flowers"):
        setattr(p, name, None)
    ref = (1280, 720)  # the size the LOD distances are set for (smaller images coarsen sooner)
    a = camera((-30.0, 0.0), (-60.0, 0.0), size=ref)  # looks away from the middle
    b = camera((30.0, 0.0), (60.0, 0.0), size=ref)
    c = camera((30.0, 0.0), (0.0, 0.0), size=ref)  # at b, looking back over the middle

    def lods(cams):
        scene, _ = build(p, cams, seed=3)
        out = []
        for o in scene.objects:
            if o.semantic == "tree" and o.id_groups is None:
                out += [(o.params["lod"], *xy) for xy in o.geometry.transforms[:, :2, 3]]
        return np.array(out)

    only_a, ab, abc = lods([a]), lods([a, b]), lods([a, b, c])
    assert len(only_a) == len(ab) == len(abc) > 20  # LOD never drops a tree
    near_b = np.hypot(ab[:, 1] - 30.0, ab[:, 2]) < 12.0
    ahead_b = near_b & (ab[:, 1] > 32.0)
    assert ahead_b.any()
    assert np.all(ab[ahead_b, 0] == 0)  # near and in front of b: full detail
    assert np.all(lods([a])[ahead_b, 0] == 2)  # for a alone they are far and behind: coarsest
    # the middle is behind a and b (coarsest), but c looks at it
    mid = np.abs(ab[:, 1]) < 15.0
    assert mid.any() and np.all(ab[mid, 0] == 2) and np.any(abc[mid, 0] < 2)


def test_placements_do_not_depend_on_the_image_size():
    # a field of view whose K-derived angle differs in the last bit between the two sizes
    hfov = next(d for d in np.arange(55.0, 80.0, 0.1)
                if Camera.from_hfov(96, 64, d, np.eye(4)).hfov != Camera.from_hfov(1280, 720, d, np.eye(4)).hfov)
    small = ring(5, 7.0, hfov, (96, 64))
    large = ring(5, 7.0, hfov, (1280, 720))
    assert small[0].hfov != large[0].hfov and np.array_equal(small[0].cam_to_world, large[0].cam_to_world)
    def placements(scene):  # id -> class and pose; which level-of-detail object holds it may differ
        return sorted((int(i), o.semantic, t.tobytes()) for o in scene.objects if not isinstance(o.id_groups, str)
                      for i, t in zip(o.geometry.ids, o.geometry.transforms))

    for a, b in ((small, large), (small[:1], large[:1])):
        sa, ra = build(plains(), a)
        sb, rb = build(plains(), b)
        assert placements(sa) == placements(sb)
        assert {k: v for k, v in ra["counts"].items() if "leaf" not in k} == \
            {k: v for k, v in rb["counts"].items() if "leaf" not in k}


def test_add_vegetation_clears_every_eye_and_looks_ahead_with_the_first_camera():
    p = biome_params("forest_mixed")
    p.area_radius = 30.0
    p.grass.niche.density = 0.5
    p.trees.niche.density = 0.2  # crowded, so some would stand where the cameras are
    cams = ring(4, 5.0)
    scene = Scene()
    add_vegetation(scene, p, GROUND, SeedTree(2).child("veg"), cams, clear_ahead=6.0)
    planned = tuple(f.name for f in families() if f.kind != "small")
    for o in scene.objects:
        if o.name.startswith(planned) and o.id_groups is None:
            xy = o.geometry.transforms[:, :2, 3]
            for cam in cams:
                assert np.all(np.hypot(*(xy - cam.position[:2]).T) > 1.0), o.name
    trunks = np.concatenate([o.geometry.transforms[:, :2, 3] for o in scene.objects
                             if o.semantic == "tree" and o.id_groups is None])
    d, ang = angle_off(cams[0], trunks)
    assert not np.any((d < 6.0 - 1.0) & (ang < view_hfov(cams[0]) / 2))  # clear ahead of the first camera
    none_scene = Scene()
    add_vegetation(none_scene, p, GROUND, SeedTree(2).child("veg"), None)
    assert len(none_scene.objects) > 0


def test_views_union_against_brute_force():
    cams = ring(3, 10.0, 60.0) + [camera((40.0, 0.0), (80.0, 0.0), 30.0)]
    views = Views.of(cams)
    pts = np.random.default_rng(0).uniform(-80, 80, (4000, 2))
    want_in = np.zeros(len(pts), dtype=bool)
    want_behind = np.ones(len(pts), dtype=bool)
    for k, cam in enumerate(cams):
        d, ang = angle_off(cam, pts)
        half = view_hfov(cam) / 2 + 0.35
        want_in |= (d <= 25.0) & (ang <= half)
        want_behind &= (ang > half) & (d > 10.0)
    assert np.array_equal(views.inside(pts, 25.0), want_in) and 0 < want_in.sum() < len(pts)
    assert np.array_equal(views.behind(pts, 10.0), want_behind) and want_behind.any()
    nearest = np.min([np.hypot(*(pts - c.position[:2]).T) for c in cams], axis=0)
    assert np.allclose(views.distance(pts), nearest)
    c, r = views.disk(25.0)
    assert np.all(np.hypot(*(pts[want_in] - c).T) <= r)
    with pytest.raises(TypeError, match="expected Camera"):
        Views.of([cams[0], "camera"])


# -- the registries ----------------------------------------------------------------------------

def layer_fields() -> dict[str, type]:
    out = {}
    for name, f in VegetationParams.model_fields.items():
        for t in (TreeLayer, SmallLayer):
            if t in getattr(f.annotation, "__args__", ()):
                out[name] = t
    return out


def test_every_family_has_its_layer_and_every_layer_a_family():
    fams = {f.name: f for f in families()}
    assert set(fams) == set(layer_fields()) == set(FAMILIES)
    for name, t in layer_fields().items():
        assert (fams[name].kind == "tree") == (t is TreeLayer), name
    assert [f.name for f in families("tree")] == ["trees", "bushes"]
    assert {f.name for f in families("small")} == {"grass", "dry_grass", "flowers", "ferns", "mushrooms", "twigs",
                                                   "cones", "pebbles", "litter", "needles", "bark", "moss"}
    with pytest.raises(ValueError, match="registered twice"):
        register(get_family("grass"))
    with pytest.raises(ValueError, match="unknown"):
        get_family("kelp")
    with pytest.raises(ValueError, match="kind 'shrub'"):
        Family("x", "shrub", 1, lambda *a: None, lambda *a: None)


def check_mesh(m: Mesh):
    assert len(m.faces) > 0 and len(m.vertices) > 0
    assert np.all(np.isfinite(m.vertices))
    assert m.faces.min() >= 0 and m.faces.max() < len(m.vertices)
    assert np.ptp(m.vertices, axis=0).max() > 1e-3


@pytest.mark.parametrize("name", [f.name for f in families()])
def test_every_family_builds_clean_deterministic_prototypes(name):
    fam = get_family(name)
    vp = VegetationParams()
    mats = SeedTree(0).child("materials")
    if fam.kind == "tree":
        layer = TreeLayer(species={"broadleaf": 1.0})
        lods = fam.prototype(vp, layer, "broadleaf", np.random.default_rng(5))
        again = fam.prototype(vp, layer, "broadleaf", np.random.default_rng(5))
        other = fam.prototype(vp, layer, "broadleaf", np.random.default_rng(6))
        assert len(lods) == 3
        for m, m2 in zip(lods, again):
            check_mesh(m.wood)
            assert m.wood.vertices.tobytes() == m2.wood.vertices.tobytes()
            assert np.array_equal(m.leaves, m2.leaves) and np.all(np.isfinite(m.leaves))
        assert lods[0].wood.vertices.tobytes() != other[0].wood.vertices.tobytes()
        assert len(lods[2].leaves) < len(lods[0].leaves)
        bark, leaf = fam.material(vp, mats, "broadleaf", lods[0])
        refs = [bark, leaf]
        label(fam.semantic)
    else:
        for k in range(3):
            mesh, sem = fam.prototype(vp, k, 3, SeedTree(1).child(f"{name}/{k}").rng())
            mesh2, sem2 = fam.prototype(vp, k, 3, SeedTree(1).child(f"{name}/{k}").rng())
            check_mesh(mesh)
            assert mesh.vertices.tobytes() == mesh2.vertices.tobytes() and sem == sem2
            for a in mesh.attributes.values():
                assert len(a) == len(mesh.vertices) and np.all(np.isfinite(a))
            label(sem)  # a registered semantic class
        refs = [fam.material(vp, mats)]
    for ref in refs:
        assert isinstance(ref, MaterialRef) and ref.recipe in RECIPES
        assert ref == (fam.material(vp, mats, "broadleaf", lods[0])[refs.index(ref)] if fam.kind == "tree"
                       else fam.material(vp, mats))


def test_a_new_family_is_one_registration_and_one_field():
    class SedgeParams(VegetationParams):
        sedge: SmallLayer | None = SmallLayer(niche=Niche(density=2.0), max_distance=20.0, lod_near=5.0)

    def prototype(vegetation, k, n, rng):
        v = np.array([[0, 0, 0], [0.1, 0, 0], [0, 0.1, 0.02]], dtype=np.float64) * rng.uniform(0.5, 1.5)
        return Mesh(v, np.array([[0, 1, 2]])), "grass"

    register(Family("sedge", "small", 125, prototype,
                    lambda vegetation, mats: MaterialRef("plant_vcol", mats.child("sedge").int())))
    try:
        p = SedgeParams(**plains().model_dump(exclude={"grass"}), grass=None)
        scene, rep = build(p, camera((0.0, 0.0), (5.0, 5.0)))
        sedge = [o for o in scene.objects if o.name.startswith("sedge")]
        assert sedge and rep["counts"]["sedge"] == sum(len(o.geometry) for o in sedge) > 20
    finally:
        FAMILIES.pop("sedge")


def test_biome_presets_are_registered_and_fresh():
    assert {"forest_conifer", "forest_broadleaf", "forest_mixed", "forest", "plains", "meadow", "desert", "mountain",
            "river", "arctic"} <= set(BIOMES)
    for name in BIOMES:
        v = biome_params(name)
        assert isinstance(v, VegetationParams)
        assert any(getattr(v, f.name) is not None for f in families("small")), name
    a = biome_params("plains")
    a.grass.niche.density = 0.0
    assert biome_params("plains").grass.niche.density == 25.0
    assert biome_params("forest").model_dump() == biome_params("forest_mixed").model_dump()
    assert biome_params("forest_conifer").trees.species != biome_params("forest_broadleaf").trees.species
    with pytest.raises(ValueError, match="biome 'jungle' unknown; choose one of arctic, desert"):
        biome_params("jungle")
