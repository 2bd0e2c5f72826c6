"""Mountain meadow: a grassy valley floor with boulders, ringed by ridged mountains."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from ..camera import CameraParams, Obstacles, place_camera
from ..core.scene import MaterialRef, Object, Scene
from ..core.seeds import SeedTree
from ..core.shot import Shot
from ..generators.rocks import RockParams, scatter_rocks
from ..generators.terrain import Heightfield, TerrainParams
from ..generators.weather import WeatherParams, add_weather
from .base import Built, Layout, SceneRecipe, SkyParams, register


class MeadowParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    terrain: TerrainParams = Field(default_factory=TerrainParams)
    rocks: RockParams = Field(default_factory=RockParams)
    sky: SkyParams = Field(default_factory=SkyParams)
    camera: CameraParams = Field(default_factory=CameraParams)
    weather: WeatherParams = Field(default_factory=WeatherParams)
    snowline: float = Field(450.0, ge=-1000.0, le=10000.0, description="altitude where snow starts, m")


def layout(params: MeadowParams, seeds: SeedTree) -> Layout:
    field = Heightfield(params.terrain, seeds.child("terrain"))
    rock_sets = scatter_rocks(params.rocks, seeds.child("rocks"), field.height, field.normal)
    obstacles = Obstacles.from_instances(rock_sets)
    return Layout(field, obstacles, lambda rng: place_camera(params.camera, field.height, obstacles, rng),
                  state=rock_sets)


def build(params: MeadowParams, layout: Layout, shot: Shot, seeds: SeedTree) -> Built:
    field, rock_sets = layout.ground, layout.state
    terrain_mesh = field.mesh_for(shot.cameras())
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
    add_weather(scene, params.weather, shot.reference(), field.height, seeds.child("weather"), shot.duration())
    return Built(scene, {"sky": scene.sky.drawn})


register(SceneRecipe("meadow", "mountain meadow: grassy valley, boulders, ridged mountains", MeadowParams,
                     layout, build))
