"""Every terrain scene type builds and renders end to end at a tiny size; water, caves, determinism."""

import numpy as np
import pytest

from wildsynth.core import SeedTree, label_id
from wildsynth.render.settings import RenderSettings
from wildsynth.scenes import get

SCENES = ["mountain", "desert", "canyon", "cliff", "river", "coast", "arctic", "cave", "lake"]
SIZE = (48, 32)
FAST = {"grid": {"resolution": 64}}


def _build(name, seed=0, size=SIZE):
    recipe = get(name)
    params = recipe.params.model_validate(FAST if name != "cave" else {})
    return recipe.build(params, SeedTree(seed).child("scene"), *size)


@pytest.fixture(scope="module")
def frames():
    from wildsynth.render.cycles import CyclesRenderer

    out = {}
    for name in SCENES:
        scene, rig, report = _build(name)
        settings = RenderSettings(width=SIZE[0], height=SIZE[1], samples=2, denoise=False, adaptive_min_samples=0)
        with CyclesRenderer(scene, settings, seed=0) as r:
            rgb = r.render_rgb(rig.main)
            gt = r.render_gt(rig.main)
        out[name] = (scene, rig, report, rgb, gt)
    return out


@pytest.mark.parametrize("name", SCENES)
def test_scene_renders_with_ground_truth(frames, name):
    scene, rig, report, rgb, gt = frames[name]
    assert rgb.display.shape == (SIZE[1], SIZE[0], 3) and rgb.display.std() > 1.0
    hit = np.isfinite(gt.depth)
    assert hit.mean() > 0.3, "the terrain fills a good part of the view"
    seen = set(np.unique(gt.instance[hit]).tolist())
    assert seen <= {row["id"] for row in scene.object_table()}
    classes = set(scene.id_to_class()[list(seen)].tolist())
    want = {"desert": "sand", "cave": "cave_wall", "arctic": "snow"}.get(name, "terrain")
    if name in ("mountain", "canyon", "cliff"):
        assert classes & {label_id("terrain"), label_id("rock"), label_id("snow")}
    else:
        assert label_id(want) in classes, f"{want} visible"
    assert report["terrain"]["timings_s"]


@pytest.mark.parametrize("name", ["coast", "river", "lake"])
def test_water_is_a_labelled_surface_in_the_ground_truth(frames, name):
    scene, rig, _, _, gt = frames[name]
    water_ids = [o.instance_id for o in scene.objects if o.semantic == "water"]
    assert water_ids
    px = np.isin(gt.instance, water_ids)
    assert px.any(), "water visible"
    # depth on water pixels lies on the water mesh (not the bed below it)
    cam = rig.main
    pts = cam.backproject(np.where(px, gt.depth, 0.0))[px]
    water = [o.geometry for o in scene.objects if o.semantic == "water"]
    from scipy.spatial import cKDTree

    d, _ = cKDTree(np.concatenate([w.vertices for w in water])).query(pts)
    edge = np.median(np.concatenate([np.linalg.norm(np.diff(w.vertices[w.faces[:, :2]], axis=1)[:, 0], axis=1)
                                     for w in water]))
    assert np.median(d) < 3 * edge + 0.05


def test_lake_scene_lakes_are_water_objects_filled_to_their_spill_level(frames):
    scene, _, _, _, gt = frames["lake"]
    lakes = [o for o in scene.objects if o.generator == "water.lake"]
    assert lakes and all(o.semantic == "water" and o.material.recipe == "lake_water" for o in lakes)
    for o in lakes:
        assert np.allclose(o.geometry.vertices[:, 2], o.params["level"], atol=1e-3)
    px = np.isin(gt.instance, [o.instance_id for o in lakes])
    assert px.mean() > 0.1, "the lake fills a good part of the view"


def test_cave_camera_sees_walls_not_sky(frames):
    scene, rig, report, _, gt = frames["cave"]
    assert np.isfinite(gt.depth).all(), "no sky inside the cave"
    lut = scene.id_to_class()
    assert np.mean(lut[gt.instance] == label_id("cave_wall")) > 0.8
    assert np.nanmax(gt.depth) < 200.0


def test_same_seed_same_geometry_other_seed_differs():
    a, ra, _ = _build("canyon", 3)
    b, rb, _ = _build("canyon", 3)
    c, _, _ = _build("canyon", 4)
    assert [o.name for o in a.objects] == [o.name for o in b.objects]
    for oa, ob in zip(a.objects, b.objects):
        ga, gb = oa.geometry, ob.geometry
        if oa.is_instanced:
            assert ga.transforms.tobytes() == gb.transforms.tobytes()
        else:
            assert ga.vertices.tobytes() == gb.vertices.tobytes() and ga.faces.tobytes() == gb.faces.tobytes()
    assert np.array_equal(ra.main.cam_to_world, rb.main.cam_to_world)
    assert a.objects[0].geometry.vertices.tobytes() != c.objects[0].geometry.vertices.tobytes()


def test_bad_parameter_is_a_clear_error():
    with pytest.raises(ValueError, match="dune_height"):
        get("desert").params.model_validate({"terrain": {"dune_height": -3}})
