"""Vegetation for the scene recipes: moved to ``generators/ecology`` (plant-family registry,
biome presets, ``Vegetation`` for every camera of a shot); the names stay importable here.

``vegetated_heightfield_scene`` is the one-camera forest/plains builder of the old
recipe form (params, seeds, width, height).
"""

from __future__ import annotations

import numpy as np

from ..camera import place_camera
from ..core.camera import CameraRig
from ..core.scene import MaterialRef, Object, Scene
from ..core.seeds import SeedTree
from ..generators.ecology import (
    GRASS_CELL,
    SmallLayer,
    TreeLayer,
    Vegetation,
    VegetationParams,
    add_vegetation,
    biome_params,
    scale_grass,
)
from ..generators.terrain import Heightfield
from ..generators.weather import add_weather

__all__ = ["GRASS_CELL", "SmallLayer", "TreeLayer", "Vegetation", "VegetationParams", "add_vegetation", "biome_params",
           "scale_grass", "vegetated_heightfield_scene"]


def vegetated_heightfield_scene(params, vegetation: VegetationParams, seeds: SeedTree, width: int,
                                height: int) -> tuple[Scene, CameraRig, dict]:
    """A grassy heightfield with ``vegetation`` on it: plan the large plants, place the
    camera among them, mesh the ground around it, then add the plants. ``params``
    needs ``terrain``, ``camera`` and ``sky`` fields (forest and plains)."""
    field = Heightfield(params.terrain, seeds.child("terrain"))
    veg = Vegetation(vegetation, field.height, field.normal, seeds.child("vegetation"))
    obstacles = veg.plan()
    cam, cam_report = place_camera(params.camera, width, height, field.height, obstacles, seeds.child("camera").rng())
    fwd = cam.cam_to_world[:3, 2]
    terrain_mesh = field.mesh_around(cam.position, float(np.arctan2(fwd[1], fwd[0])), cam.hfov, width)
    scene = Scene()
    scene.sun, scene.sky = params.sky.make(seeds.child("sky").rng())
    scene.add(Object("terrain", terrain_mesh,
                     MaterialRef("meadow_ground", seeds.child("materials/ground").int(), (("snowline", 5000.0),)),
                     semantic="terrain", generator="terrain.heightfield", params=params.terrain.model_dump()))
    report = veg.build(scene, [cam])
    if hasattr(params, "weather"):
        add_weather(scene, params.weather, cam, field.height, seeds.child("weather"))
    return scene, CameraRig.mono(cam), {"camera_placement": cam_report, "vegetation": report}
