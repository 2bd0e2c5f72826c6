"""The coral reef: the floor and its reef mask, clustered life, the camera under the surface, and the scene
end to end with exact ground truth (the murk volume changes appearance only) and determinism."""

import numpy as np
import pytest
from geometry import nearest_triangle, render_still, scene_triangles_with_ids

from wildsynth.core import SeedTree, label_id
from wildsynth.generators.scatter import variance_to_mean
from wildsynth.params import UserError, apply_overrides
from wildsynth.scenes import get
from wildsynth.scenes.coral_reef import WATER_LEVEL, CoralReefParams, ReefFloor, plan_life

# the whole scene, quick: every kind grown at its registry's tiny size
FAST = {"life": {"tiny": True}}
SIZE = (64, 40)


def test_floor_has_reef_mounds_above_sand_and_a_dropoff():
    p = CoralReefParams()
    floor = ReefFloor(p.floor, SeedTree(0).child("floor"))
    x, y = np.meshgrid(np.linspace(-30, 30, 121), np.linspace(-30, 30, 121))
    r = floor.reef(x, y)
    z = floor.height(x, y)
    assert 0.15 < (r > 0.5).mean() < 0.85, "reef patches and sand channels"
    assert z[r > 0.9].mean() - z[r < 0.1].mean() > 0.6 * p.floor.reef_height
    assert z.max() < WATER_LEVEL - 3.0  # under water everywhere
    high = ReefFloor(p.floor.model_copy(update={"depth": 4.0, "reef_height": 20.0}), SeedTree(0).child("floor"), 1.5)
    assert high.height(x, y).max() <= WATER_LEVEL - 1.5, "a reef taller than the water is capped under the surface"
    far = floor.height(np.array([80.0 * np.cos(floor.heading)]), np.array([80.0 * np.sin(floor.heading)]))[0]
    assert far < WATER_LEVEL - p.floor.depth - 0.8 * p.floor.dropoff, "beyond the drop-off the bed falls away"


def test_life_clusters_densely_on_the_reef_and_sparsely_on_the_sand():
    p = CoralReefParams()
    floor = ReefFloor(p.floor, SeedTree(1).child("floor"))
    plan = plan_life(p.life, floor, (0.0, 0.0), SeedTree(1).child("life"))
    on_reef = floor.reef(plan.xy[:, 0], plan.xy[:, 1]) > 0.5
    x, y = np.meshgrid(np.linspace(-25, 25, 101), np.linspace(-25, 25, 101))
    reef_share = (floor.reef(x, y) > 0.5).mean()
    # per unit area, far more on the reef than on the sand
    assert on_reef.mean() / reef_share > 3.0 * (1 - on_reef.mean()) / (1 - reef_share)
    assert variance_to_mean(plan.xy, (0.0, 0.0), 20.0, 2.0) > 2.0, "clustered, not Poisson"
    kinds = np.array(plan.kinds)
    corals = {k for k in kinds[on_reef] if k.endswith("coral")}
    assert len(corals) >= 5
    assert not {k for k in kinds[~on_reef]} - set(p.life.sand_mix) - set(p.life.reef_mix)


def test_parameters_are_settable_and_bad_values_are_one_line_errors():
    p = apply_overrides(CoralReefParams, ["floor.depth=20", "murk.density=0.05", "life.prototypes=2",
                                          "caustics.strength=0"], what="coral_reef")
    assert (p.floor.depth, p.murk.density, p.life.prototypes, p.caustics.strength) == (20.0, 0.05, 2, 0.0)
    for bad, field in (["floor.depth=1"], "depth"), (["life.scale_max=0.1"], "scale_max"):
        with pytest.raises(UserError) as e:
            apply_overrides(CoralReefParams, bad, what="coral_reef")
        assert field in str(e.value) and "\n" not in str(e.value)
    with pytest.raises(UserError, match="not_a_coral"):
        apply_overrides(CoralReefParams, ['life.reef_mix={"not_a_coral": 1}'], what="coral_reef")


def _compose(seed, size=SIZE, **over):
    from wildsynth.run import compose

    recipe = get("coral_reef")
    return compose(recipe, recipe.params.model_validate({**FAST, **over}), SeedTree(seed), *size)


@pytest.fixture(scope="module")
def frame():
    c = _compose(0)
    return (c, *render_still(c.scene, c.rig.main, SIZE))


@pytest.mark.blender
def test_renders_under_water_with_exact_ground_truth(frame):
    c, rgb, gt = frame
    scene, cam = c.scene, c.rig.main
    assert rgb.display.shape == (SIZE[1], SIZE[0], 3) and rgb.display.std() > 1.0
    lin = rgb.linear.reshape(-1, 3).mean(0)
    assert lin[1] > lin[0] and lin[2] > lin[0], "the water turns the view blue-green"
    # under the surface, above the bed (and not inside a coral)
    z = cam.position[2]
    bed = c.layout.ground.height(np.array([cam.position[0]]), np.array([cam.position[1]]))[0]
    assert bed + 1.0 <= z <= WATER_LEVEL - CoralReefParams().camera_surface_clearance + 1e-6, (bed, z)
    obs = c.layout.obstacles
    assert np.all(np.linalg.norm(obs.centers - cam.position, axis=1) > obs.radii)
    # the murk is a volume out of the ground truth: every pixel hits a surface (bed, life or the water surface)
    hit = np.isfinite(gt.depth)
    assert hit.mean() > 0.9
    assert not [o for o in scene.objects if o.name == "murk" and o.in_ground_truth]
    seen = np.unique(gt.instance[hit])
    assert set(seen.tolist()) <= {row["id"] for row in scene.object_table()}
    classes = set(scene.id_to_class()[seen].tolist())
    assert label_id("coral") in classes, "corals visible"
    assert {label_id("sand"), label_id("rock")} & classes
    # depth back-projects onto the scene's own (displaced) triangles, each pixel on the object its id names
    pts = cam.backproject(np.where(hit, gt.depth, 0.0))[hit]
    tris, owner = scene_triangles_with_ids(scene, seen)
    dist, tri = nearest_triangle(pts, tris)
    tol = 0.01 + 0.001 * gt.depth[hit]
    assert np.mean(dist <= tol) >= 0.99, f"median distance {np.median(dist):.4g} m"
    assert np.mean(owner[tri] == gt.instance[hit]) >= 0.99
    surf = [o.instance_id for o in scene.objects if o.semantic == "water_surface"]
    up = np.isin(gt.instance, surf)
    if up.any():  # the surface, where seen, lies at the water level
        assert np.allclose(cam.backproject(np.where(up, gt.depth, 0.0))[up][:, 2], WATER_LEVEL, atol=0.02)


@pytest.mark.blender
def test_murk_changes_appearance_only(frame):
    """The same scene without the murk volume: identical depth and ids (the volume is no surface)."""
    from dataclasses import replace

    from wildsynth.render.cycles import CyclesRenderer
    from wildsynth.render.settings import RenderSettings

    c, rgb, gt = frame
    murk = [o for o in c.scene.objects if o.generator == "weather.murk"]
    assert len(murk) == 1 and murk[0].material.recipe == "murk"
    clear = replace(c.scene, objects=[o for o in c.scene.objects if o.generator != "weather.murk"])
    settings = RenderSettings(width=SIZE[0], height=SIZE[1], samples=1, denoise=False, adaptive_min_samples=0)
    with CyclesRenderer(clear, settings, seed=0) as r:
        gt2 = r.render_gt(c.rig.main)
    assert np.array_equal(gt.instance, gt2.instance)
    assert np.array_equal(gt.depth, gt2.depth)


@pytest.mark.blender
def test_fish_by_default_and_same_seed_same_scene(frame):
    c, _, _ = frame
    fish = [o for o in c.scene.objects if o.semantic == "fish"]
    assert fish, "fish through the creatures' underwater hook, on by default"
    for o in fish:
        v = o.geometry.vertices
        assert v[:, 2].max() < WATER_LEVEL
    again = _compose(0)
    a, b = c.scene, again.scene
    assert [o.name for o in a.objects] == [o.name for o in b.objects]
    for oa, ob in zip(a.objects, b.objects):
        ga, gb = oa.geometry, ob.geometry
        if oa.is_instanced:
            assert ga.transforms.tobytes() == gb.transforms.tobytes(), oa.name
            assert ga.mesh.vertices.tobytes() == gb.mesh.vertices.tobytes(), oa.name
        else:
            assert ga.vertices.tobytes() == gb.vertices.tobytes(), oa.name
    assert np.array_equal(c.rig.main.cam_to_world, again.rig.main.cam_to_world)
    # another seed, another bed and another reef (the layout: no second build)
    p = CoralReefParams()
    f0, f1 = (ReefFloor(p.floor, SeedTree(s).child("scene").child("floor")) for s in (0, 1))
    x = np.linspace(-20, 20, 41)
    assert not np.allclose(f0.height(x, x), f1.height(x, x))
    p0, p1 = (plan_life(p.life, f, (0.0, 0.0), SeedTree(s).child("life")) for s, f in ((0, f0), (1, f1)))
    assert len(p0.xy) != len(p1.xy) or not np.allclose(p0.xy, p1.xy)
