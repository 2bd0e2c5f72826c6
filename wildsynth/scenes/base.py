"""Scene recipes: a typed parameter model plus a build function.

``build(params, seeds, width, height)`` returns the renderer-free ``Scene``
and the ``CameraRig`` that looks at it (placement comes before meshing so the
terrain's detail can follow the camera).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Optional

import numpy as np

from pydantic import BaseModel, ConfigDict, Field

from ..core.camera import CameraRig
from ..core.scene import Scene, Sky, Sun
from ..core.seeds import SeedTree
from ..core.solar import solar_position


class SkyParams(BaseModel):
    """Sun from latitude, date and time of day; physical sky; a cloud layer.

    Unset values (None) are drawn from the seed: a day of the year, a daytime
    hour with the sun at least ``min_sun_elevation`` high (night is excluded
    unless ``allow_night``), a compass heading of the world, a cloud cover.
    """

    model_config = ConfigDict(extra="forbid")

    latitude: float = Field(45.0, ge=-90.0, le=90.0, description="latitude, degrees north")
    day_of_year: Optional[int] = Field(None, ge=1, le=366, description="day of the year (None: drawn)")
    hour: Optional[float] = Field(None, ge=0.0, le=24.0, description="local solar time, hours (None: a daytime hour is drawn)")
    min_sun_elevation: float = Field(12.0, ge=-18.0, le=80.0, description="drawn hours keep the sun at least this high, degrees")
    allow_night: bool = Field(False, description="let drawn hours include night and twilight")
    north: Optional[float] = Field(None, ge=0.0, le=360.0, description="heading of north, degrees counter-clockwise from +Y (None: drawn)")
    clouds: Optional[float] = Field(None, ge=0.0, le=1.0, description="cloud cover fraction (None: drawn in [0, 0.5])")
    overcast: float = Field(0.0, ge=0.0, le=1.0, description="0 clear sun, 1 sun hidden behind closed cloud")
    sun_strength: float = Field(4.0, ge=0.0, le=100.0, description="sun irradiance (Blender sun strength)")
    sky_strength: float = Field(0.3, ge=0.0, le=10.0, description="physical sky brightness multiplier")
    air_density: float = Field(1.0, ge=0.0, le=10.0, description="Rayleigh scattering (x standard atmosphere)")
    dust_density: float = Field(1.5, ge=0.0, le=10.0, description="Mie scattering, haze (x standard)")

    def make(self, rng) -> tuple[Sun, Sky]:
        day = self.day_of_year if self.day_of_year is not None else int(rng.integers(1, 366))
        hours = np.linspace(0.0, 24.0, 289)
        if self.hour is not None:
            hour = self.hour
        else:
            elev = np.array([solar_position(self.latitude, day, h)[0] for h in hours])
            ok = hours[elev >= self.min_sun_elevation] if not self.allow_night else hours
            # polar night or a too-high minimum: fall back to solar noon, never fail
            hour = float(rng.choice(ok)) if len(ok) else 12.0
        elevation, azimuth = solar_position(self.latitude, day, hour)
        north = self.north if self.north is not None else float(rng.uniform(0.0, 360.0))
        clouds = self.clouds if self.clouds is not None else float(rng.uniform(0.0, 0.5))
        clouds = max(clouds, self.overcast)
        sun = Sun.from_angles(elevation, azimuth + north, strength=self.sun_strength * (1.0 - 0.9 * self.overcast))
        sky = Sky(air_density=self.air_density, dust_density=self.dust_density,
                  strength=self.sky_strength * (1.0 - 0.4 * self.overcast), clouds=clouds,
                  cloud_seed=int(rng.integers(0, 2**31 - 1)),
                  drawn={"day_of_year": day, "hour": round(hour, 3), "north_deg": round(north, 3),
                         "clouds": round(clouds, 4), "sun_elevation_deg": round(elevation, 3),
                         "sun_azimuth_deg": round((azimuth + north) % 360.0, 3)})
        return sun, sky


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
