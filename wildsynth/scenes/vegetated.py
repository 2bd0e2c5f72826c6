"""Layout and build shared by the vegetated heightfield scenes (forest, plains).

The layout plans the large plants (trees, bushes, logs, boulders: Poisson-disk,
no overlaps) on the heightfield before any camera exists, so they are the
obstacles the camera keeps out of; the build meshes the ground and dresses it
with small plants for every camera of the shot.
"""

from __future__ import annotations

from ..camera import place_camera
from ..core.scene import MaterialRef, Object, Scene
from ..core.seeds import SeedTree
from ..core.shot import Shot
from ..generators.ecology import Vegetation, VegetationParams
from ..generators.terrain import Heightfield
from ..generators.weather import add_weather
from .base import Built, Layout


def vegetated_layout(params, vegetation: VegetationParams, seeds: SeedTree) -> Layout:
    """``params`` needs ``terrain`` and ``camera`` fields (forest and plains)."""
    field = Heightfield(params.terrain, seeds.child("terrain"))
    veg = Vegetation(vegetation, field.height, field.normal, seeds.child("vegetation"))
    obstacles = veg.plan()
    return Layout(field, obstacles, lambda rng: place_camera(params.camera, field.height, obstacles, rng),
                  state=veg)


def vegetated_build(params, layout: Layout, shot: Shot, seeds: SeedTree, ground: str = "meadow_ground") -> Built:
    """``params`` needs ``terrain``, ``sky`` and ``weather`` fields; ``ground``: the terrain's recipe."""
    field, veg = layout.ground, layout.state
    cams = shot.cameras()
    scene = Scene()
    scene.sun, scene.sky = params.sky.make(seeds.child("sky").rng())
    scene.add(Object("terrain", field.mesh_for(cams),
                     MaterialRef(ground, seeds.child("materials/ground").int(), (("snowline", 5000.0),)),
                     semantic="terrain", generator="terrain.heightfield", params=params.terrain.model_dump()))
    report = veg.build(scene, cams)
    add_weather(scene, params.weather, shot.reference(), field.height, seeds.child("weather"), shot.duration())
    return Built(scene, {"vegetation": report, "sky": scene.sky.drawn})
