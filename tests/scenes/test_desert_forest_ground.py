"""Desert and forest ground detail (issue 14): the sand ripples follow the dunes' wind and are displaced
(ground truth follows them), dead shrubs stand in the desert's default view, the forest floor is its
own dark litter-and-moss ground."""

from __future__ import annotations

import numpy as np
import pytest

from wildsynth.run import compose
from wildsynth.scenes import get


@pytest.fixture(scope="module")
def desert():
    return compose(get("desert"), None, 0, 96, 64)


def test_desert_sand_ripples_follow_the_landforms_wind(desert):
    sand = next(o for o in desert.scene.objects if o.name == "terrain_sand")
    params = dict(sand.material.params)
    assert params["palette"] == "desert"
    assert params["wind"] == pytest.approx(desert.layout.ground.landform.angle, abs=1e-6)
    assert get("desert").params().terrain.ripple_height == 0.0  # no regular sine from the landform
    moved = desert.report["displacement"]["objects"]["terrain_sand"]
    assert moved["vertices_moved"] > 0 and moved["max_offset_m"] > 0.003


def test_desert_default_view_shows_dead_shrubs(desert):
    cam = desert.shot.first
    shrubs = [o for o in desert.scene.objects if o.name.startswith("bushes.dry_shrub")]
    assert shrubs
    p = np.concatenate([o.geometry.transforms[:, :3, 3] for o in shrubs]).astype(np.float64)
    p[:, 2] += 0.3  # their middle, not their root
    uv, z = cam.project(p)
    seen = (z > 0.5) & (z < 40.0) & (uv[:, 0] >= 0) & (uv[:, 0] < cam.width) & (uv[:, 1] >= 0) & \
        (uv[:, 1] < cam.height)
    assert seen.sum() >= 2, f"{seen.sum()} dry shrubs within 40 m in view"


def test_desert_cacti_are_man_sized_not_trees():
    from wildsynth.generators.ecology import biome_params
    from wildsynth.generators.ecology.family.cacti import prototype

    v = biome_params("desert")
    rng = np.random.default_rng(0)
    heights = [np.ptp(prototype(v, k, 6, rng)[0].vertices[:, 2]) for k in range(6)]
    assert max(heights) < 4.0 and np.median(heights) < 2.5


def test_forest_floor_is_its_own_dark_ground():
    from wildsynth.materials.measured import RANGES

    c = compose(get("forest"), get("forest").params.model_validate({"trees": 6, "grass_density": 0.05,
                                                                     "undergrowth": 0.2, "ground_cover": 0.2}),
                0, 64, 48)
    ground = next(o for o in c.scene.objects if o.name == "terrain")
    assert ground.material.recipe == "forest_ground"
    assert RANGES["forest_ground"].albedo[1] <= 0.12 < RANGES["meadow_ground"].albedo[1]
    assert c.report["displacement"]["objects"]["terrain"]["vertices_moved"] > 0


@pytest.mark.blender
@pytest.mark.slow
@pytest.mark.parametrize("name", ["desert", "forest"])
def test_ground_truth_lies_on_the_displaced_ground(name):
    """Depth at the ground's pixels back-projects onto the displaced ground triangles (ripples, litter
    mounds, pits): the renderer and the ground truth see the same surface."""
    from conftest import render_gt
    from geometry import nearest_triangle, scene_triangles_with_ids

    over = {"grid": {"resolution": 64}} if name == "desert" else {"trees": 6, "grass_density": 0.05,
                                                                   "undergrowth": 0.2, "ground_cover": 0.2}
    c = compose(get(name), get(name).params.model_validate(over), 0, 64, 48)
    ground = [o.instance_id for o in c.scene.objects if o.name in ("terrain", "terrain_sand", "formations")]
    gt = render_gt(c.scene, c.rig, size=(64, 48))
    sel = np.isfinite(gt.depth) & np.isin(gt.instance, ground)
    assert sel.mean() > 0.1
    pts = c.rig.main.backproject(np.where(sel, gt.depth, 0.0))[sel]
    tris, owner = scene_triangles_with_ids(c.scene, np.array(ground, dtype=np.uint32))
    dist, tri = nearest_triangle(pts, tris)
    assert np.mean(dist <= 0.005 + 0.001 * gt.depth[sel]) >= 0.99, f"median {np.median(dist):.4g} m"
    assert np.mean(owner[tri] == gt.instance[sel]) >= 0.99
