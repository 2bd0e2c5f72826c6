"""Landscape geology in rendered frames: the desert's formations are in view (instance ids), scree is
rock, plants never grow inside a formation."""

import numpy as np
import pytest

from wildsynth.core import SeedTree
from wildsynth.render.settings import RenderSettings
from wildsynth.run import compose
from wildsynth.scenes import get

pytestmark = [pytest.mark.blender, pytest.mark.slow]


def _gt(name, seed, size=(160, 90), **sets):
    recipe = get(name)
    params = recipe.params.model_validate(sets)
    c = compose(recipe, params, SeedTree(seed), *size)
    from wildsynth.render.cycles import CyclesRenderer

    settings = RenderSettings(width=size[0], height=size[1], samples=4, denoise=False, adaptive_min_samples=0)
    with CyclesRenderer(c.scene, settings, seed=0) as r:
        gt = r.render_gt(c.rig.main)
    return c, gt


@pytest.mark.parametrize("seed", [0, 2])
def test_desert_frame_shows_a_rock_formation(seed):
    c, gt = _gt("desert", seed)
    form = next(o for o in c.scene.objects if o.name == "formations")
    share = float(np.mean(gt.instance == form.instance_id))
    assert share >= 0.05, f"formation pixels {share:.3f} of the frame"
    assert form.semantic == "rock" and "strata" in form.geometry.attributes
    # no plant stands inside the rock
    from wildsynth.generators.terrain.formations import Formations

    forms = Formations(get("desert").params().formations, SeedTree(seed).child("scene").child("formations"),
                       c.shot.reference(), c.layout.ground.height)
    for o in c.scene.objects:
        if o.generator.startswith("plants") and o.is_instanced and not isinstance(o.id_groups, str):
            p = o.geometry.transforms[:, :3, 3].astype(np.float64) + np.array([0.0, 0.0, 0.2])
            s = np.linalg.norm(o.geometry.transforms[:, :3, 0], axis=1)
            inside = forms.clearance(p) <= 0.5 * s
            assert inside.all() or not inside.any(), o.name  # all: an object wholly hidden is left as it is


def test_cliff_scree_is_rock_at_the_walls_foot():
    c, gt = _gt("cliff", 0, grid={"resolution": 64})
    scree = [o for o in c.scene.objects if o.generator == "rocks.scree"]
    assert scree and all(o.semantic == "rock" for o in scree)
    assert sum(len(o.geometry) for o in scree) > 200
    ids = np.concatenate([o.ids for o in scree])
    assert np.isin(gt.instance, ids).any(), "some scree in view"
