"""Forest: conifer, broadleaf or mixed woodland with undergrowth, fallen logs and boulders."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ..camera import CameraParams
from ..core.seeds import SeedTree
from ..core.shot import Shot
from ..generators.ecology import VegetationParams, biome_params, scale_grass
from ..generators.terrain import TerrainParams
from ..generators.weather import WeatherParams
from .base import Built, Layout, SceneRecipe, SkyParams, register
from .vegetated import vegetated_build, vegetated_layout


def _terrain() -> TerrainParams:
    return TerrainParams(hills_height=5.0, hills_scale=80.0, mountain_height=350.0, valley_radius=500.0)


class ForestParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["conifer", "broadleaf", "mixed"] = Field("mixed", description="which trees dominate")
    season: Literal["summer", "autumn", "winter"] = Field("summer", description="leaf state")
    trees: int = Field(0, ge=0, le=100000, description="exact tree count (0 = follow the density preset)")
    tree_density: float = Field(1.0, ge=0.0, le=20.0, description="tree density relative to the preset")
    grass_density: float = Field(1.0, ge=0.0, le=50.0, description="grass blades per m^2 relative to the preset (above 1 the tufts grow first, up to 4x the blades)")
    undergrowth: float = Field(1.0, ge=0.0, le=10.0, description="ferns, bushes, flowers, mushrooms relative to the preset")
    ground_cover: float = Field(1.0, ge=0.0, le=10.0, description="leaf and needle litter, bark, twigs, cones, moss relative to the preset")
    area_radius: float = Field(70.0, ge=10.0, le=2000.0, description="trees are placed within this radius, m")
    vegetation: VegetationParams | None = Field(None, description="full vegetation override (ignores the knobs above)")
    terrain: TerrainParams = Field(default_factory=_terrain)
    sky: SkyParams = Field(default_factory=SkyParams)
    camera: CameraParams = Field(default_factory=lambda: CameraParams(area_radius=25.0, min_sky=0.0, pitch_max=5.0))
    weather: WeatherParams = Field(default_factory=WeatherParams)

    def vegetation_params(self) -> VegetationParams:
        if self.vegetation is not None:
            return self.vegetation
        v = biome_params(f"forest_{self.kind}")
        v.season, v.area_radius = self.season, self.area_radius
        v.trees.niche.density *= self.tree_density
        v.trees.count = self.trees
        scale_grass(v, self.grass_density)  # denser grass grows bigger tufts first
        for name in ("ferns", "flowers", "mushrooms"):
            getattr(v, name).niche.density *= self.undergrowth
        v.bushes.niche.density *= self.undergrowth
        for name in ("litter", "needles", "bark", "twigs", "cones", "moss"):
            layer = getattr(v, name)
            if layer is not None:
                layer.niche.density *= self.ground_cover
        if v.dry_grass is not None:
            v.dry_grass.niche.density *= self.grass_density
        return v


def layout(params: ForestParams, seeds: SeedTree) -> Layout:
    return vegetated_layout(params, params.vegetation_params(), seeds)


def build(params: ForestParams, layout: Layout, shot: Shot, seeds: SeedTree) -> Built:
    """The heightfield dressed as a forest floor (``forest_ground``: litter, moss, soil) and the plants."""
    return vegetated_build(params, layout, shot, seeds, ground="forest_ground")


register(SceneRecipe("forest", "forest: conifer/broadleaf/mixed trees, undergrowth, logs, boulders", ForestParams,
                     layout, build))
