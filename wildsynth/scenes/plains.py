"""Plains: rolling grassland full of grass and flowers, scattered trees, bushes and boulders."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ..camera import CameraParams
from ..core.seeds import SeedTree
from ..generators.ecology import VegetationParams, biome_params, scale_grass
from ..generators.terrain import TerrainParams
from ..generators.weather import WeatherParams
from .base import Layout, SceneRecipe, SkyParams, register
from .vegetated import vegetated_build, vegetated_layout


def _terrain() -> TerrainParams:
    return TerrainParams(hills_height=8.0, hills_scale=150.0, mountain_height=250.0, valley_radius=900.0)


class PlainsParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    season: Literal["summer", "autumn", "winter"] = Field("summer", description="leaf state of the trees")
    grass_density: float = Field(1.0, ge=0.0, le=50.0, description="grass blades per m^2 relative to the preset (above 1 the tufts grow first, up to 4x the blades)")
    flower_density: float = Field(1.0, ge=0.0, le=50.0, description="flower density relative to the preset")
    tree_density: float = Field(1.0, ge=0.0, le=50.0, description="tree density relative to the preset")
    terrain: TerrainParams = Field(default_factory=_terrain)
    sky: SkyParams = Field(default_factory=SkyParams)
    camera: CameraParams = Field(default_factory=lambda: CameraParams(area_radius=30.0, height_min=1.0, height_max=2.0))
    weather: WeatherParams = Field(default_factory=WeatherParams)


def vegetation_params(params: PlainsParams) -> VegetationParams:
    v = biome_params("plains")
    v.season = params.season
    scale_grass(v, params.grass_density)  # denser grass grows bigger tufts first
    if v.dry_grass is not None:
        v.dry_grass.niche.density *= params.grass_density
    v.flowers.niche.density *= params.flower_density
    v.trees.niche.density *= params.tree_density
    return v


def layout(params: PlainsParams, seeds: SeedTree) -> Layout:
    return vegetated_layout(params, vegetation_params(params), seeds)


register(SceneRecipe("plains", "plains: grassland with flowers, lone trees, bushes and boulders", PlainsParams,
                     layout, vegetated_build))
