"""Plains: rolling grassland full of grass and flowers, scattered trees, bushes and boulders."""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from ..camera import CameraParams, place_camera
from ..core.camera import CameraRig
from ..core.scene import MaterialRef, Object, Scene
from ..core.seeds import SeedTree
from ..generators.terrain import Heightfield, TerrainParams
from .base import SceneRecipe, SkyParams, register
from .vegetation import Vegetation, biome_params


def _terrain() -> TerrainParams:
    return TerrainParams(hills_height=8.0, hills_scale=150.0, mountain_height=250.0, valley_radius=900.0)


class PlainsParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    season: Literal["summer", "autumn", "winter"] = Field("summer", description="leaf state of the trees")
    grass_density: float = Field(1.0, ge=0.0, le=50.0, description="grass density relative to the preset")
    flower_density: float = Field(1.0, ge=0.0, le=50.0, description="flower density relative to the preset")
    tree_density: float = Field(1.0, ge=0.0, le=50.0, description="tree density relative to the preset")
    terrain: TerrainParams = Field(default_factory=_terrain)
    sky: SkyParams = Field(default_factory=SkyParams)
    camera: CameraParams = Field(default_factory=lambda: CameraParams(area_radius=30.0, height_min=1.0, height_max=2.0))


def build(params: PlainsParams, seeds: SeedTree, width: int, height: int) -> tuple[Scene, CameraRig, dict]:
    field = Heightfield(params.terrain, seeds.child("terrain"))
    v = biome_params("plains")
    v.season = params.season
    v.grass.niche.density *= params.grass_density
    v.flowers.niche.density *= params.flower_density
    v.trees.niche.density *= params.tree_density
    veg = Vegetation(v, field.height, field.normal, seeds.child("vegetation"))
    obstacles = veg.plan()
    cam, cam_report = place_camera(params.camera, width, height, field.height, obstacles, seeds.child("camera").rng())
    fwd = cam.cam_to_world[:3, 2]
    terrain_mesh = field.mesh_around(cam.position, float(np.arctan2(fwd[1], fwd[0])), cam.hfov, width)
    scene = Scene()
    scene.sun, scene.sky = params.sky.make(seeds.child("sky").rng())
    scene.add(Object("terrain", terrain_mesh,
                     MaterialRef("meadow_ground", seeds.child("materials/ground").int(), (("snowline", 5000.0),)),
                     semantic="terrain", generator="terrain.heightfield", params=params.terrain.model_dump()))
    report = veg.build(scene, cam)
    return scene, CameraRig.mono(cam), {"camera_placement": cam_report, "vegetation": report}


register(SceneRecipe("plains", "plains: grassland with flowers, lone trees, bushes and boulders", PlainsParams, build))
