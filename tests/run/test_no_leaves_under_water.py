"""Shots with flow get falling leaves, but not under water (the recipe's ``falling_leaves``)."""

from wildsynth.camera.shot import ShotOptions
from wildsynth.core.seeds import SeedTree
from wildsynth.generators.motion import MotionParams
from wildsynth.run.compose import compose, plan_motion
from wildsynth.scenes import SCENES


def _leaves(scene: str) -> list[str]:
    recipe = SCENES[scene]
    c = compose(recipe, None, 0, 48, 32, ShotOptions(frames=3))
    plan_motion(c.scene, c.shot, c.layout.ground.height, MotionParams(), SeedTree(0).child("sequence"),
                falling_leaves=recipe.falling_leaves)
    return [o.name for o in c.scene.objects if o.name == "falling_leaves"]


def test_the_scenes_under_water_have_no_falling_leaves():
    wet = {name for name, r in SCENES.items() if not r.falling_leaves}
    assert wet == {"coral_reef", "kelp_forest", "under_water"}
    assert _leaves("under_water") == []


def test_a_scene_in_the_air_keeps_them():
    assert _leaves("desert") == ["falling_leaves"]
