"""The meadow showcase: grass, wildflowers, boulders, a pond when the valley floor holds one,
mountains; deterministic per seed; a tiny render is mostly plants below the mountains."""

import numpy as np
import pytest

from wildsynth.core.labels import label
from wildsynth.run import compose

SIZE = (96, 54)


def build(seed=0, size=SIZE, params=None):
    return compose("meadow", params, seed, *size)


@pytest.fixture(scope="module")
def meadow():
    return build(0)


def by_class(scene):
    out = {}
    for o in scene.objects:
        n = len(o.geometry) if o.is_instanced else 1
        out[o.semantic] = out.get(o.semantic, 0) + n
    return out


def test_meadow_has_grass_flowers_rocks_trees_and_a_pond(meadow):
    c = meadow
    counts = c.report["vegetation"]["counts"]
    assert counts["grass"] > 2000 and counts["grass_blades"] > 200_000
    assert counts["dry_grass"] > 50 and counts["flowers"] > 200
    classes = by_class(c.scene)
    assert classes["grass"] == counts["grass"] + counts["dry_grass"]
    assert classes["flower"] == counts["flowers"] and classes["rock"] > 50 and classes.get("tree", 0) > 0
    assert classes["terrain"] == 1
    # seed 0's valley floor holds a basin: filled as a pond, its sheet flat at the spill level
    pond = c.report["pond"]
    assert pond is not None and pond["area_m2"] > 2500
    sheet = [o for o in c.scene.objects if o.name == "pond"]
    assert len(sheet) == 1 and sheet[0].semantic == "water"
    assert np.allclose(sheet[0].geometry.vertices[:, 2], pond["level"], atol=1e-3)
    # the camera stands on dry ground above it, near enough to see it, looking towards it
    eye = c.rig.main.position
    ground = c.layout.ground.height(eye[:1], eye[1:2])[0]
    basin = c.layout.state.pond
    assert not basin.holds(eye[:1], eye[1:2])[0] and 1.3 < eye[2] - ground < 2.1
    to_pond = basin.centroid - eye[:2]
    fwd = c.rig.main.cam_to_world[:3, 2]
    assert np.dot(to_pond, fwd[:2]) > 0.7 * np.linalg.norm(to_pond) * np.linalg.norm(fwd[:2])
    assert np.all(np.isfinite(np.concatenate([o.geometry.transforms.reshape(-1) for o in c.scene.objects
                                              if o.is_instanced])))


def test_wildflowers_grow_in_patches(meadow):
    from wildsynth.generators.scatter import variance_to_mean

    xy = np.concatenate([o.geometry.transforms[:, :2, 3] for o in meadow.scene.objects if o.semantic == "flower"])
    near = xy[np.hypot(*(xy - meadow.rig.main.position[:2]).T) < 12.0]  # full density, no distance thinning
    c = near.mean(axis=0)
    assert len(near) > 50
    assert variance_to_mean(near, c, 6.0, 1.0) > 2.0


def test_meadow_is_deterministic_per_seed(meadow):
    again = build(0)
    names = [o.name for o in meadow.scene.objects]
    assert names == [o.name for o in again.scene.objects]
    assert np.array_equal(meadow.rig.main.cam_to_world, again.rig.main.cam_to_world)
    for a, b in zip(meadow.scene.objects, again.scene.objects):
        if a.is_instanced:
            assert np.array_equal(a.geometry.transforms, b.geometry.transforms), a.name
            assert np.array_equal(a.geometry.ids, b.geometry.ids), a.name
    other = build(1)
    assert not np.array_equal(other.rig.main.cam_to_world, meadow.rig.main.cam_to_world)


def test_meadow_knobs_scale_the_plants():
    from wildsynth.scenes import get

    P = get("meadow").params
    bare = build(0, params=P(grass_density=0.0, flower_density=0.0, tree_density=0.0))
    counts = bare.report["vegetation"]["counts"]
    assert counts.get("grass", 0) == 0 and counts.get("flowers", 0) == 0 and counts.get("trees", 0) == 0
    assert by_class(bare.scene)["rock"] > 50


@pytest.mark.blender
@pytest.mark.slow
def test_a_tiny_meadow_render_is_mostly_plants_below_the_mountains():
    from wildsynth.render.cycles import CyclesRenderer
    from wildsynth.render.settings import RenderSettings

    c = build(0, size=(160, 90))
    lut = c.scene.id_to_class()
    with CyclesRenderer(c.scene, RenderSettings(width=160, height=90, samples=4, exposure=0.0), seed=0) as r:
        gt = r.render_gt(c.rig.main)
        rgb = r.render_rgb(c.rig.main)
    cls = lut[gt.instance]
    share = {name: float((cls == label(name).id).mean()) for name in ("sky", "grass", "flower", "tree", "bush",
                                                                       "rock", "terrain", "snow", "water", "moss")}
    plants = share["grass"] + share["flower"] + share["tree"] + share["bush"] + share["moss"]
    assert 0.25 < plants < 0.9, share
    assert share["grass"] > 0.15 and share["sky"] > 0.03, share
    assert share["terrain"] + share["rock"] + share["snow"] > 0.03, share  # the mountains behind
    # the grass is green: its pixels' mean colour leans to green
    g = rgb.linear[cls == label("grass").id].mean(axis=0)
    assert g[1] > g[2] and g[1] > 0.8 * g[0], g
