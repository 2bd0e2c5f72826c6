"""Scene recipes: a typed parameter model and two phases, layout and build.

- ``layout(params, seeds) -> Layout``: the ground (height, normal, masks,
  water), the obstacles a camera must keep out of, and how to place the first
  view. Plain numpy, no camera yet, no pixels.
- ``camera/`` places the first view from the layout and plans the ``Shot``
  (trajectory x rig: every camera at every time).
- ``build(params, layout, shot, seeds) -> Built``: meshes the terrain and
  places the plants for every camera of the shot; the scene keeps its ground.

Neither phase sees the output resolution except through the shot's cameras,
and only tessellation may follow their pixel size (``core/shot.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Optional, Protocol

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from ..camera.placement import Obstacles
from ..core.camera import Camera
from ..core.scene import Scene, Sky, Sun
from ..core.seeds import SeedTree
from ..core.solar import solar_position


class SkyParams(BaseModel):
    """Sun from latitude, date and time of day; physical sky; a cloud layer.

    Sun and sky come from one atmosphere (``materials/sky.py``): Blender's Nishita sky with
    these air and dust densities, and a sun lamp with the strength and colour Nishita's own sun
    has after the air mass of its elevation, 0.53 degrees wide (crisp shadows). Unset values
    (None) are drawn from the seed: a day of the year, a daytime hour with the sun at least
    ``min_sun_elevation`` high (night is excluded unless ``allow_night``), a compass heading of
    the world, a cloud cover and the haze (dust density).
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
    sun_strength: Optional[float] = Field(None, ge=0.0, le=100.0, description="sun lamp strength, Blender units (None: physical, from the sun's elevation, air mass and the densities; about 4 at 45 degrees)")
    sun_scale: float = Field(1.0, ge=0.0, le=100.0, description="multiplier on the physical sun (1: consistent with the sky)")
    sky_strength: Optional[float] = Field(None, ge=0.0, le=10.0, description="Nishita sky brightness multiplier (None: the physical scale shared with the sun, 0.032)")
    air_density: float = Field(1.0, ge=0.0, le=10.0, description="Rayleigh scattering (x standard atmosphere)")
    dust_density: Optional[float] = Field(None, ge=0.0, le=10.0, description="Mie scattering, haze (x Nishita's standard; None: drawn log-uniform in [1, 5]: visibility about 80 to 30 km)")

    def make(self, rng) -> tuple[Sun, Sky]:
        from ..materials.sky import FILM_SCALE, sun_lamp

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
        cloud_seed = int(rng.integers(0, 2**31 - 1))
        dust = self.dust_density if self.dust_density is not None else float(np.exp(rng.uniform(0.0, np.log(5.0))))
        strength, colour = sun_lamp(elevation, self.air_density, dust)
        if self.sun_strength is not None:
            strength = self.sun_strength
        strength *= self.sun_scale * (1.0 - 0.9 * self.overcast)
        sun = Sun.from_angles(elevation, azimuth + north, strength=strength, color=colour)
        sky_strength = self.sky_strength if self.sky_strength is not None else FILM_SCALE
        sky = Sky(air_density=self.air_density, dust_density=dust,
                  strength=sky_strength * (1.0 - 0.4 * self.overcast), clouds=clouds, cloud_seed=cloud_seed,
                  drawn={"day_of_year": day, "hour": round(hour, 3), "north_deg": round(north, 3),
                         "clouds": round(clouds, 4), "sun_elevation_deg": round(elevation, 3),
                         "sun_azimuth_deg": round((azimuth + north) % 360.0, 3), "dust_density": round(dust, 4),
                         "sun_strength": round(strength, 4), "sun_color": [round(c, 4) for c in colour]})
        return sun, sky


class Ground(Protocol):
    """What trajectories, rigs and plants ask of the ground: heights and normals anywhere."""

    def height(self, x, y): ...

    def normal(self, x, y): ...


@dataclass
class Layout:
    """A scene before any camera: its ground, obstacles and how to place the first view.

    ``place(rng)`` returns the first camera (at the reference size, see ``core/shot.py``) and
    a report of how it was chosen. ``surface(x, y)`` is what a camera stands above (the
    ground, or water where it is higher). ``state`` is the recipe's own typed data, handed
    back to its ``build``.
    """

    ground: Ground
    obstacles: Obstacles
    place: Callable[[np.random.Generator], tuple[Camera, dict]]
    surface: Callable | None = None
    state: Any = None
    report: dict = field(default_factory=dict)

    def surface_height(self, x, y):
        return (self.surface or self.ground.height)(x, y)


@dataclass
class Built:
    """A built scene and what its build recorded (for scene.json)."""

    scene: Scene
    report: dict = field(default_factory=dict)


@dataclass
class SceneRecipe:
    name: str
    description: str
    params: type[BaseModel]
    layout: Callable[[Any, SeedTree], Layout]
    build: Callable[[Any, Layout, Any, SeedTree], Built]
    # leaves fall through the air of shots with flow (``generators.motion.add_falling_particles``); not under water
    falling_leaves: bool = True


SCENES: dict[str, SceneRecipe] = {}


def register(recipe: SceneRecipe) -> SceneRecipe:
    if recipe.name in SCENES:
        raise ValueError(f"scene {recipe.name!r} registered twice")
    SCENES[recipe.name] = recipe
    return recipe


def get(name: str) -> SceneRecipe:
    if name not in SCENES:
        raise KeyError(f"unknown scene {name!r}; known scenes: {', '.join(sorted(SCENES))}")
    return SCENES[name]
