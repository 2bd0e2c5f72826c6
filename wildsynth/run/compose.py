"""Layout -> shot -> scene -> displacement: the scene a run renders, built for every camera of its shot."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from pydantic import BaseModel

from ..camera.shot import ShotOptions, plan_shot
from ..core.camera import CameraRig
from ..core.motion import MotionSet
from ..core.scene import Scene
from ..core.seeds import SeedTree
from ..core.shot import Shot
from ..generators.creatures.placement import add_creatures
from ..generators.motion import MotionParams, add_falling_particles, wind_sway
from ..generators.movers import add_movers
from ..materials.displace import apply_displacements
from ..scenes import get as get_scene
from ..scenes.base import Layout, SceneRecipe


@dataclass
class Composed:
    """A scene, the shot it is built for, and what building it recorded."""

    scene: Scene
    shot: Shot
    layout: Layout
    report: dict = field(default_factory=dict)
    timings: dict = field(default_factory=dict)

    @property
    def rig(self) -> CameraRig:
        """The first output frame's rig."""
        return self.shot.rigs[self.shot.frames[0]]


def compose(recipe: SceneRecipe | str, params: BaseModel | None, seed: int | SeedTree, width: int, height: int,
            options: ShotOptions | None = None, displace: bool = True) -> Composed:
    """Build a scene for a shot at ``width`` x ``height`` (only tessellation depends on the size).

    The scene draws from the ``scene`` branch of the seed tree, the shot (trajectory) from
    ``sequence``; ``params`` None means the recipe's defaults.
    """
    recipe = get_scene(recipe) if isinstance(recipe, str) else recipe
    params = recipe.params() if params is None else params
    root = seed if isinstance(seed, SeedTree) else SeedTree(seed)
    seeds = root.child("scene")
    options = options or ShotOptions()
    t = {}
    t0 = time.perf_counter()
    layout = recipe.layout(params, seeds)
    t["layout"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    first, placement = layout.place(seeds.child("camera").rng())
    shot = plan_shot(first, options, width, height, layout.surface_height, layout.obstacles, root.child("sequence"),
                     info=placement)
    t["shot"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    built = recipe.build(params, layout, shot, seeds)
    t["build"] = time.perf_counter() - t0
    # the drawn sky (time of day, sun, clouds) goes to scene.json and the captions for every scene
    report = {"camera_placement": placement, "sky": built.scene.sky.drawn, **built.report}
    if displace:
        t0 = time.perf_counter()
        report["displacement"] = apply_displacements(built.scene, shot.cameras()).to_dict()
        t["displacement"] = time.perf_counter() - t0
    return Composed(built.scene, shot, layout, report, {k: round(v, 3) for k, v in t.items()})


def plan_motion(scene: Scene, shot: Shot, ground, params: MotionParams, seeds: SeedTree,
                obstacles=None, floor=None, timings: dict | None = None, biome: str | None = None,
                falling_leaves: bool = True) -> MotionSet:
    """Everything that moves during the shot: the scene's own tracks (weather); in shots with flow,
    wind sway of the vegetation and falling leaves that pass the middle camera's view; and movers
    (any shot: a still gets them at their rest pose), kept above ``floor(x, y)`` (default
    ``ground``; the pipeline passes the layout's surface: ground or water) and out of ``obstacles``
    (bounding spheres); then the animals of ``biome`` (a scene name, ``generators/creatures/placement``),
    deforming meshes on the ground, in the air or in water, kept out of the same obstacles. Movers
    and creatures are added last, so their ids follow every other id; ``timings`` (if given) gets
    their build times as ``movers_build`` and ``creatures_build``. ``falling_leaves`` False (the scenes
    under water) leaves the falling leaves out."""
    from ..materials import RECIPES

    motions = MotionSet()
    for m in scene.motions:
        motions.add(m)
    if not shot.still:
        sway = wind_sway(scene, params, seeds.child("sway"))
        if sway is not None:
            motions.add(sway)
        mid = shot.reference(shot.rigs[len(shot.rigs) // 2].main)  # placed at the reference size, like weather
        fall = (add_falling_particles(scene, params, mid, shot.duration(), ground, seeds.child("particles"))
                if falling_leaves else None)
        if fall is not None:  # rest pose at t = 0; they pass the middle camera's view mid-shot
            motions.add(fall)
    t0 = time.perf_counter()
    movers = add_movers(scene, params.movers, shot, floor or ground, obstacles, seeds.child("movers"), set(RECIPES))
    if timings is not None and movers is not None:
        timings["movers_build"] = round(time.perf_counter() - t0, 3)
    if movers is not None:
        motions.add(movers.motion)
    t0 = time.perf_counter()
    creatures = add_creatures(scene, params.creatures, shot, ground, floor or ground, obstacles,
                              seeds.child("creatures"), biome)
    if creatures is not None:
        motions.add(creatures.motion)
        if timings is not None:
            timings["creatures_build"] = round(time.perf_counter() - t0, 3)
    return motions
