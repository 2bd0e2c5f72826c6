"""Scene recipes: a typed parameter model plus a build function.

``build(params, seeds, width, height)`` returns the renderer-free ``Scene``
and the ``CameraRig`` that looks at it (placement comes before meshing so the
terrain's detail can follow the camera).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from pydantic import BaseModel, ConfigDict, Field

from ..core.camera import CameraRig
from ..core.scene import Scene, Sky, Sun
from ..core.seeds import SeedTree


class SkyParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sun_elevation_min: float = Field(18.0, ge=-5.0, le=90.0, description="lowest sun elevation drawn, degrees")
    sun_elevation_max: float = Field(60.0, ge=-5.0, le=90.0, description="highest sun elevation drawn, degrees")
    sun_strength: float = Field(4.0, ge=0.0, le=100.0, description="sun irradiance (Blender sun strength)")
    sky_strength: float = Field(0.3, ge=0.0, le=10.0, description="physical sky brightness multiplier")
    air_density: float = Field(1.0, ge=0.0, le=10.0, description="Rayleigh scattering (x standard atmosphere)")
    dust_density: float = Field(1.5, ge=0.0, le=10.0, description="Mie scattering, haze (x standard)")

    def make(self, rng) -> tuple[Sun, Sky]:
        lo, hi = sorted((self.sun_elevation_min, self.sun_elevation_max))
        sun = Sun.from_angles(rng.uniform(lo, hi), rng.uniform(0.0, 360.0), strength=self.sun_strength)
        return sun, Sky(air_density=self.air_density, dust_density=self.dust_density, strength=self.sky_strength)


@dataclass
class SceneRecipe:
    name: str
    description: str
    params: type[BaseModel]
    build: Callable[[Any, SeedTree, int, int], tuple[Scene, CameraRig, dict]]


SCENES: dict[str, SceneRecipe] = {}


def register(recipe: SceneRecipe) -> SceneRecipe:
    SCENES[recipe.name] = recipe
    return recipe


def get(name: str) -> SceneRecipe:
    if name not in SCENES:
        raise KeyError(f"unknown scene {name!r}; known scenes: {', '.join(sorted(SCENES))}")
    return SCENES[name]
