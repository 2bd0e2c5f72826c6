"""Mountain meadow: a grassy valley floor with boulders, ringed by ridged mountains."""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from ..camera import CameraParams, Obstacles, place_camera
from ..core.camera import CameraRig
from ..core.scene import MaterialRef, Object, Scene
from ..core.seeds import SeedTree
from ..generators.weather import WeatherParams, add_weather
from ..generators.rocks import RockParams, scatter_rocks
from ..generators.terrain import Heightfield, TerrainParams
from .base import SceneRecipe, SkyParams, register


class MeadowParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    terrain: TerrainParams = Field(default_factory=TerrainParams)
    rocks: RockParams = Field(default_factory=RockParams)
    sky: SkyParams = Field(default_factory=SkyParams)
    camera: CameraParams = Field(default_factory=CameraParams)
    weather: WeatherParams = Field(default_factory=WeatherParams)
    snowline: float = Field(450.0, ge=-1000.0, le=10000.0, description="altitude where snow starts, m")


def build(params: MeadowParams, seeds: SeedTree, width: int, height: int) -> tuple[Scene, CameraRig, dict]:
    field = Heightfield(params.terrain, seeds.child("terrain"))
    rock_sets = scatter_rocks(params.rocks, seeds.child("rocks"), field.height, field.normal)

    obstacles = Obstacles.from_instances(rock_sets)
    cam, cam_report = place_camera(params.camera, width, height, field.height, obstacles,
                                   seeds.child("camera").rng())

    fwd = cam.cam_to_world[:3, 2]
    yaw = float(np.arctan2(fwd[1], fwd[0]))
    terrain_mesh = field.mesh_around(cam.position, yaw, cam.hfov, width)

    scene = Scene()
    scene.sun, scene.sky = params.sky.make(seeds.child("sky").rng())
    mat_seeds = seeds.child("materials")
    scene.add(Object("terrain", terrain_mesh,
                     MaterialRef("meadow_ground", mat_seeds.child("ground").int(),
                                 (("snowline", params.snowline),)),
                     semantic="terrain", generator="terrain.heightfield",
                     params=params.terrain.model_dump()))
    rock_mat = MaterialRef("rock", mat_seeds.child("rock").int())
    for k, inst in enumerate(rock_sets):
        scene.add(Object(f"rocks{k}", inst, rock_mat, semantic="rock", generator="rocks",
                         params=params.rocks.model_dump()))
    add_weather(scene, params.weather, cam, field.height, seeds.child("weather"))
    return scene, CameraRig.mono(cam), {"camera_placement": cam_report, "sky": scene.sky.drawn}


register(SceneRecipe("meadow", "mountain meadow: grassy valley, boulders, ridged mountains", MeadowParams, build))
