"""The snowy mountain: snow by slope and hollows (synthetic fields), snow caps, the treeline, the low
winter sun, and the scene end to end with exact ground truth and determinism."""

import numpy as np
import pytest
from geometry import nearest_triangle, render_still, scene_triangles_with_ids

from wildsynth.core import SeedTree, label_id
from wildsynth.core.scene import MaterialRef
from wildsynth.generators.rocks import icosphere
from wildsynth.generators.scatter import Ecology, Niche
from wildsynth.generators.terrain.snow import SnowParams, snow_depth
from wildsynth.materials import DISPLACEMENTS, build
from wildsynth.materials.relief import Surface
from wildsynth.params import UserError, apply_overrides
from wildsynth.scenes import get
from wildsynth.scenes.snowy_mountain import SnowyMountainParams, winter_sky

CELL = 2.0
# small and quick, still the whole scene: a coarse erosion grid, trees planned nearer the view, fewer
# camera proposals and scree blocks
FAST = {"grid": {"resolution": 96}, "trees": {"area_radius": 160.0}, "camera": {"proposals": 12},
        "scree": {"count": 300}}
SIZE = (64, 40)


def _grid(n=200):
    x = (np.arange(n) - n / 2) * CELL
    return np.meshgrid(x, x)  # X varies along columns, Y along rows


def test_no_snow_on_faces_steeper_than_the_angle_of_repose():
    p = SnowParams(drift=0.0)
    X, Y = _grid()
    for angle in (p.repose_angle + 0.5, 50.0, 70.0):  # planes at least as steep as the angle of repose: bare
        d = snow_depth(np.tan(np.radians(angle)) * X, CELL, p)
        assert np.all(d == 0.0), angle
    gentle = snow_depth(np.tan(np.radians(15.0)) * X, CELL, p)
    assert np.all(gentle > 0.5 * p.depth)
    # a dome whose flanks steepen outwards (redistribution off: the crown is convex, and exposed crowns are
    # scoured): snow on the gentle crown, none where it is steeper than the angle of repose
    r = np.hypot(X, Y)
    z = -0.004 * r ** 2
    slope = np.degrees(np.arctan(0.008 * r))
    d = snow_depth(z, CELL, p.model_copy(update={"hollow_gain": 0.0, "exposure_gain": 0.0, "wind_gain": 0.0}))
    inner = slope < p.repose_angle - p.repose_soft - 2
    outer = (slope > p.repose_angle + 1) & (np.abs(X) < 180) & (np.abs(Y) < 180)  # away from the grid's edge
    assert inner.sum() > 100 and outer.sum() > 100
    assert np.all(d[outer] == 0.0) and np.all(d[inner] > 0)


def test_snow_is_deeper_in_hollows_than_on_ridges():
    """Parallel ridges and gullies z = A cos(2 pi x / L): slopes stay gentle (<= 21 degrees) and the wind blows
    along the ridges (no lee loading), so only the curvature decides."""
    p = SnowParams(drift=0.0)
    X, _ = _grid()
    L, A = 80.0, 5.0
    z = A * np.cos(2 * np.pi * X / L)
    d = snow_depth(z, CELL, p, wind=(0.0, 1.0))
    crest = np.isclose(np.mod(X, L), 0.0)
    trough = np.isclose(np.mod(X, L), L / 2)
    mid = slice(40, 160)
    ridge_d, hollow_d = d[mid][:, crest[0]].mean(), d[mid][:, trough[0]].mean()
    flat = snow_depth(np.zeros_like(z), CELL, p).mean()
    assert hollow_d > 1.5 * ridge_d, (hollow_d, ridge_d)
    assert hollow_d > flat > ridge_d
    # more curvature gain, more contrast; none: no difference
    d0 = snow_depth(z, CELL, p.model_copy(update={"hollow_gain": 0.0, "exposure_gain": 0.0}), wind=(0.0, 1.0))
    assert np.isclose(d0[mid][:, crest[0]].mean(), d0[mid][:, trough[0]].mean(), rtol=0.01)  # altitude only


def test_lee_faces_hold_more_snow_than_windward_faces():
    p = SnowParams(drift=0.0, hollow_gain=0.0, exposure_gain=0.0)
    X, _ = _grid()
    z = 8.0 * np.cos(2 * np.pi * X / 120.0)
    d = snow_depth(z, CELL, p, wind=(1.0, 0.0))
    gx = np.gradient(z, CELL, axis=1)
    assert d[gx < -0.1].mean() > 1.3 * d[gx > 0.1].mean()  # falling downwind (lee) vs rising (windward)


def test_treeline_density_falls_linearly_over_the_band():
    eco = Ecology(lambda x, y: np.asarray(y, dtype=np.float64), lambda x, y: np.tile([0.0, 0.0, 1.0], (np.size(x), 1)),
                  np.random.default_rng(0))
    top, band = 500.0, 100.0
    f = eco.density(Niche(density=1.0, patchiness=0.0, slope_max=1.0, altitude_max=top, altitude_fade=band))
    z = np.array([300.0, top - band, top - 0.75 * band, top - 0.25 * band, top, top + 50.0])
    assert np.allclose(f(np.zeros_like(z), z), [1.0, 1.0, 0.75, 0.25, 0.0, 0.0])


def test_the_winter_sun_stands_low():
    params = SnowyMountainParams()
    elevations = []
    for seed in range(12):
        tree = SeedTree(seed)
        sky = winter_sky(params.sky, params.sun, tree.child("sun").rng())
        _, s = sky.make(tree.child("sky").rng())
        elevations.append(s.drawn["sun_elevation_deg"])
    assert all(5.0 - 0.3 <= e <= 25.0 + 0.3 for e in elevations), elevations
    assert np.ptp(elevations) > 5.0  # drawn, not fixed
    assert apply_overrides(SnowyMountainParams, ["sun.elevation=[10,30]"], what="snowy_mountain").sun.elevation == (10, 30)
    for bad in ("[20,2]", "[5,90]"):
        with pytest.raises(UserError, match="sun.elevation"):
            apply_overrides(SnowyMountainParams, [f"sun.elevation={bad}"], what="snowy_mountain")


def test_every_knob_is_settable_and_bad_values_are_one_line_errors():
    p = apply_overrides(SnowyMountainParams, ["snow.repose_angle=38", "trees.band=90", "weather.snow=50",
                                              "rock_snow=1.5"], what="snowy_mountain")
    assert (p.snow.repose_angle, p.trees.band, p.weather.snow, p.rock_snow) == (38.0, 90.0, 50.0, 1.5)
    with pytest.raises(UserError) as e:
        apply_overrides(SnowyMountainParams, ["snow.repose_angle=100"], what="snowy_mountain")
    assert "repose_angle" in str(e.value) and "\n" not in str(e.value)


def test_rock_snow_caps_are_displaced_on_up_facing_parts_only():
    m = icosphere(3)
    v = m.vertices.astype(np.float64)
    n = v / np.linalg.norm(v, axis=1, keepdims=True)
    surf = Surface(v, n, np.full(len(v), 0.02))
    off = DISPLACEMENTS["snowy_rock"](surf, np.random.default_rng(0), {"snow": 1.0, "cap": 0.12})
    top, bottom = n[:, 2] > 0.85, n[:, 2] < 0.3
    assert off[top].min() > 0.1 and np.abs(off[bottom]).max() < 0.06
    bare = DISPLACEMENTS["snowy_rock"](surf, np.random.default_rng(0), {"snow": 0.0})
    assert np.abs(bare).max() < 0.06
    for name in ("snowy_rock", "snowy_leaf", "snowy_bark"):
        g = build(MaterialRef(name, 1, (("kind", "conifer"),)))
        assert any(nd.type == "ShaderNodeNewGeometry" for nd in g.nodes), name  # reads the up-facing normal


def _compose(seed, size=SIZE):
    from wildsynth.run import compose

    recipe = get("snowy_mountain")
    return compose(recipe, recipe.params.model_validate(FAST), SeedTree(seed), *size)


@pytest.fixture(scope="module")
def frame():
    c = _compose(0)
    return (c, *render_still(c.scene, c.rig.main, SIZE))


@pytest.mark.blender
def test_renders_with_exact_ground_truth(frame):
    c, rgb, gt = frame
    scene, cam = c.scene, c.rig.main
    assert rgb.display.shape == (SIZE[1], SIZE[0], 3) and rgb.display.std() > 1.0
    hit = np.isfinite(gt.depth)
    assert 0.3 < hit.mean() < 0.95, "ground and sky"
    assert np.all(gt.instance[~hit] == 0)
    seen = np.unique(gt.instance[hit])
    assert set(seen.tolist()) <= {row["id"] for row in scene.object_table()}
    classes = set(scene.id_to_class()[seen].tolist())
    assert label_id("snow") in classes
    snow_px = np.isin(scene.id_to_class()[gt.instance], [label_id("snow")]) & hit
    assert snow_px.mean() > 0.1, "snow covers a good part of the view"
    # depth back-projects onto the scene's own (displaced) triangles, each pixel on the object its id names
    pts = cam.backproject(np.where(hit, gt.depth, 0.0))[hit]
    tris, owner = scene_triangles_with_ids(scene, seen)
    dist, tri = nearest_triangle(pts, tris)
    tol = 0.01 + 0.001 * gt.depth[hit]
    assert np.mean(dist <= tol) >= 0.99, f"median distance {np.median(dist):.4g} m"
    assert np.mean(owner[tri] == gt.instance[hit]) >= 0.99
    t = tris[tri]
    fn = np.cross(t[:, 1] - t[:, 0], t[:, 2] - t[:, 0])
    fn /= np.linalg.norm(fn, axis=1, keepdims=True)
    angle = np.degrees(np.arccos(np.clip(np.abs((fn * gt.normal_world[hit]).sum(1)), -1, 1)))
    assert np.median(angle) < 2.0


@pytest.mark.blender
def test_snow_lies_on_the_ground_the_trees_and_the_rocks(frame):
    c, _, _ = frame
    scene, report = c.scene, c.report
    parts = {o.semantic: o for o in scene.objects if o.generator == "terrain.snowy_mountain"}
    assert {"snow", "rock"} <= set(parts)
    snow = parts["snow"].geometry.attributes
    rock = parts["rock"].geometry.attributes
    assert np.median(snow["snow_depth"]) > 0.3 and np.median(rock["snow_depth"]) < 0.05
    assert report["snow"]["covered_vertex_share"] > 0.3
    recipes = {o.material.recipe for o in scene.objects}
    assert {"snowy_rock", "snowy_leaf", "snowy_bark"} <= recipes
    assert not {"bark", "leaf", "rock"} & recipes


@pytest.mark.blender
def test_same_seed_same_scene_and_no_tree_above_the_treeline(frame):
    c, _, _ = frame
    again = _compose(0)
    a, b = c.scene, again.scene
    assert [o.name for o in a.objects] == [o.name for o in b.objects]
    for oa, ob in zip(a.objects, b.objects):
        ga, gb = oa.geometry, ob.geometry
        if oa.is_instanced:
            assert ga.transforms.tobytes() == gb.transforms.tobytes(), oa.name
        else:
            assert ga.vertices.tobytes() == gb.vertices.tobytes(), oa.name
    assert np.array_equal(c.rig.main.cam_to_world, again.rig.main.cam_to_world)
    assert a.sky.drawn == b.sky.drawn
    # the treeline: trees and krummholz stand below its top, and both exist
    top = c.report["snow"]["treeline_m"]
    plants = [o for o in a.objects if o.semantic in ("tree", "bush") and not o.name.endswith(".leaves")]
    assert {o.semantic for o in plants} == {"tree", "bush"}
    base = np.concatenate([o.geometry.transforms[:, 2, 3] for o in plants])
    assert len(base) > 20 and base.max() <= top + 0.5, (base.max(), top)
    bush = np.concatenate([o.geometry.transforms[:, 2, 3] for o in plants if o.semantic == "bush"])
    tree = np.concatenate([o.geometry.transforms[:, 2, 3] for o in plants if o.semantic == "tree"])
    assert np.median(bush) > np.median(tree), "the stunted conifers grow higher up than the trees"
