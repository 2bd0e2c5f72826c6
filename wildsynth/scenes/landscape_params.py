"""Parameter models of the landscape scenes: one importable class per scene type.

``LandscapeParams`` holds what every landscape has; each scene's class sets its
landform and the defaults that differ (camera heights, rocks, snow line, ...).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from ..camera import CameraParams
from ..generators.rocks import RockParams, ScreeParams
from ..generators.terrain import landforms as lf
from ..generators.terrain.erosion import ErosionParams
from ..generators.terrain.field import CoverParams, GridParams, LakesParams, MeshParams, RiverTraceParams
from ..generators.terrain.formations import FormationParams
from ..generators.terrain.geology import GeologyParams
from ..generators.water import WaveParams
from ..generators.weather import WeatherParams
from .base import SkyParams


class LandscapeParams(BaseModel):
    """Every landscape: a landform eroded on a grid, its water, rocks, plants, sky and weather."""

    model_config = ConfigDict(extra="forbid")

    terrain: lf.LandformParams = Field(default_factory=lf.MountainParams, description="landform shape")
    grid: GridParams = Field(default_factory=GridParams, description="erosion grid")
    erosion: ErosionParams = Field(default_factory=ErosionParams, description="hydraulic and thermal erosion")
    lakes: LakesParams = Field(default_factory=LakesParams,
                               description="lakes: the eroded grid's basins filled to their spill level")
    river: RiverTraceParams = Field(default_factory=RiverTraceParams,
                                    description="a valley's river traced along the grid's drainage")
    mesh: MeshParams = Field(default_factory=MeshParams, description="camera-following meshing")
    cover: CoverParams = Field(default_factory=CoverParams, description="snow and beach")
    waves: WaveParams = Field(default_factory=WaveParams, description="ocean waves")
    rocks: RockParams = Field(default_factory=RockParams,
                              description="scattered rocks (boulders, or angular chunks: talus)")
    scree: ScreeParams = Field(default_factory=ScreeParams,
                               description="scree and talus: angular rocks where steep slopes break")
    formations: FormationParams = Field(default_factory=FormationParams,
                                        description="arches, hoodoos, buttes, mesas, outcrops (SDF with strata, joints, pits)")
    sky: SkyParams = Field(default_factory=SkyParams, description="sun and sky")
    camera: CameraParams = Field(default_factory=CameraParams, description="camera placement")
    vegetation: float = Field(0.0, ge=0.0, le=20.0, description="plant density relative to the biome preset (0 = bare)")
    weather: WeatherParams = Field(default_factory=WeatherParams, description="rain, snow, dust, leaves, fog")


class MountainSceneParams(LandscapeParams):
    """mountain range: eroded ridged peaks, snow above the snow line, seen from a high slope"""

    terrain: lf.MountainParams = Field(default_factory=lf.MountainParams, description="landform shape")
    lakes: LakesParams = Field(default_factory=lambda: LakesParams(enabled=True, min_area=20000.0, max_area=1200000.0, min_depth=3.0),
             description="lakes: the eroded grid's basins filled to their spill level")
    cover: CoverParams = Field(default_factory=lambda: CoverParams(snowline=700.0, snow_band=120.0),
             description="snow and beach")
    rocks: RockParams = Field(default_factory=lambda: RockParams(count=40, radius=80.0, size_median=1.0, kind="block",
                                                                 mix=("boulder", "slab")),
             description="scattered rocks (boulders, or angular chunks: talus)")
    scree: ScreeParams = Field(default_factory=lambda: ScreeParams(count=2500, radius=250.0, cell=2.0, reach=40.0,
                                                                   size_min=0.15, size_max=1.2),
                               description="scree and talus: angular rocks where steep slopes break")
    camera: CameraParams = Field(default_factory=lambda: CameraParams(height_min=20.0, height_max=60.0, pitch_min=-12.0, pitch_max=0.0, area_radius=500.0, min_sky=0.1),
              description="camera placement")
    vegetation: float = Field(1.0, ge=0.0, le=20.0, description="plant density relative to the biome preset (0 = bare)")


class DesertSceneParams(LandscapeParams):
    """sand sea: wind-aligned dunes with slip faces and ripples"""

    # ripple_height 0: the sand's ripples are the terrain material's displacement (band-limited, irregular)
    terrain: lf.DuneParams = Field(default_factory=lambda: lf.DuneParams(dune_height=10.0, wavelength=140.0,
                                                                         ripple_height=0.0),
                                   description="landform shape")
    rocks: RockParams = Field(default_factory=lambda: RockParams(count=0),
             description="scattered rocks (boulders, or angular chunks: talus)")
    formations: FormationParams = Field(default_factory=lambda: FormationParams(count=2, kinds=('arch', 'outcrop', 'hoodoo', 'outcrop'), size=7.0, distance_min=20.0, distance_max=90.0, pixels_per_voxel=2.5, geology=GeologyParams(tafoni_size=0.5, tafoni_depth=0.3, tafoni_cover=0.8)),
                  description="arches, hoodoos, buttes, mesas, outcrops (SDF with strata, joints, pits)")
    camera: CameraParams = Field(default_factory=lambda: CameraParams(height_min=1.6, height_max=5.0, pitch_min=-10.0, pitch_max=-2.0, area_radius=80.0),
              description="camera placement")
    vegetation: float = Field(1.0, ge=0.0, le=20.0, description="plant density relative to the biome preset (0 = bare)")


class CanyonSceneParams(LandscapeParams):
    """canyon: terraced red-rock walls, mesas and buttes, seen from near the rim"""

    terrain: lf.CanyonParams = Field(default_factory=lf.CanyonParams, description="landform shape")
    erosion: ErosionParams = Field(default_factory=lambda: ErosionParams(talus_angle=70.0, thermal_iterations=10),
               description="hydraulic and thermal erosion")
    rocks: RockParams = Field(default_factory=lambda: RockParams(count=40, radius=60.0, size_median=0.8, kind='chunk'),
             description="scattered rocks (boulders, or angular chunks: talus)")
    scree: ScreeParams = Field(default_factory=lambda: ScreeParams(count=2500, radius=200.0, cell=2.0, reach=35.0,
                                                                   size_min=0.12, size_max=1.0),
                               description="scree and talus: angular rocks where steep slopes break")
    formations: FormationParams = Field(default_factory=lambda: FormationParams(count=3, kinds=('butte', 'hoodoo', 'arch', 'mesa'), size=12.0, distance_min=50.0, distance_max=220.0, geology=GeologyParams(bed_thickness=1.8, recess=1.0, ramp=0.35, joint_spacing=9.0, tafoni_size=1.2, tafoni_depth=0.35)),
                  description="arches, hoodoos, buttes, mesas, outcrops (SDF with strata, joints, pits)")
    camera: CameraParams = Field(default_factory=lambda: CameraParams(height_min=25.0, height_max=45.0, pitch_min=-20.0, pitch_max=-8.0, area_radius=40.0),
              description="camera placement")


class CliffSceneParams(LandscapeParams):
    """cliff: a tall stratified rock wall rising from a plain, angular talus blocks at its foot"""

    terrain: lf.CliffParams = Field(default_factory=lf.CliffParams, description="landform shape")
    erosion: ErosionParams = Field(default_factory=lambda: ErosionParams(talus_angle=70.0, thermal_iterations=10),
               description="hydraulic and thermal erosion")
    rocks: RockParams = Field(default_factory=lambda: RockParams(count=120, radius=65.0, size_median=1.0, kind='chunk', subdivisions=4),
             description="scattered rocks (boulders, or angular chunks: talus)")
    scree: ScreeParams = Field(default_factory=lambda: ScreeParams(count=2000, radius=140.0, reach=30.0),
                               description="scree and talus: angular rocks where steep slopes break")
    camera: CameraParams = Field(default_factory=lambda: CameraParams(height_min=1.6, height_max=3.0, pitch_min=4.0, pitch_max=14.0, area_radius=30.0, min_sky=0.03),
              description="camera placement")


class RiverSceneParams(LandscapeParams):
    """river valley: a river along the valley's drainage, carving its bed, hills on both sides"""

    terrain: lf.RiverParams = Field(default_factory=lf.RiverParams, description="landform shape")
    rocks: RockParams = Field(default_factory=lambda: RockParams(count=50, radius=50.0, size_median=0.5, kind="river",
                                                                 mix=("river", "boulder")),
             description="scattered rocks (boulders, or angular chunks: talus)")
    camera: CameraParams = Field(default_factory=lambda: CameraParams(height_min=2.5, height_max=5.0, pitch_min=-15.0, pitch_max=-5.0, area_radius=5.0),
              description="camera placement")
    vegetation: float = Field(1.0, ge=0.0, le=20.0, description="plant density relative to the biome preset (0 = bare)")


class CoastSceneParams(LandscapeParams):
    """sea coast: a sandy beach, hills behind, an ocean of Gerstner waves to the horizon"""

    terrain: lf.CoastParams = Field(default_factory=lf.CoastParams, description="landform shape")
    cover: CoverParams = Field(default_factory=lambda: CoverParams(beach_height=2.5),
             description="snow and beach")
    rocks: RockParams = Field(default_factory=lambda: RockParams(count=30, radius=60.0, size_median=0.6, kind="river",
                                                                 mix=("block",)),
             description="scattered rocks (boulders, or angular chunks: talus)")
    formations: FormationParams = Field(default_factory=lambda: FormationParams(count=1, kinds=('arch',), size=16.0, distance_min=90.0, distance_max=160.0),
                  description="arches, hoodoos, buttes, mesas, outcrops (SDF with strata, joints, pits)")
    camera: CameraParams = Field(default_factory=lambda: CameraParams(height_min=1.6, height_max=4.0, pitch_min=-8.0, pitch_max=-1.0, area_radius=40.0),
              description="camera placement")


class ArcticSceneParams(LandscapeParams):
    """arctic: snow-covered mountains around a frozen lake"""

    terrain: lf.ArcticParams = Field(default_factory=lf.ArcticParams, description="landform shape")
    cover: CoverParams = Field(default_factory=lambda: CoverParams(snowline=-20.0, snow_band=20.0, snow_max_slope=0.6),
             description="snow and beach")
    rocks: RockParams = Field(default_factory=lambda: RockParams(count=20, radius=60.0, size_median=0.8,
                                                                 mix=("block",)),
             description="scattered rocks (boulders, or angular chunks: talus)")
    camera: CameraParams = Field(default_factory=lambda: CameraParams(height_min=1.7, height_max=6.0, pitch_min=-8.0, pitch_max=0.0, area_radius=40.0),
              description="camera placement")
    vegetation: float = Field(1.0, ge=0.0, le=20.0, description="plant density relative to the biome preset (0 = bare)")


class LakeSceneParams(LandscapeParams):
    """mountain lake: a basin ringed by peaks, filled to its spill level, seen from the shore"""

    terrain: lf.LakeParams = Field(default_factory=lf.LakeParams, description="landform shape")
    lakes: LakesParams = Field(default_factory=lambda: LakesParams(enabled=True),
             description="lakes: the eroded grid's basins filled to their spill level")
    cover: CoverParams = Field(default_factory=lambda: CoverParams(snowline=380.0, snow_band=80.0),
             description="snow and beach")
    rocks: RockParams = Field(default_factory=lambda: RockParams(count=40, radius=60.0, size_median=0.7,
                                                                 mix=("block", "river")),
             description="scattered rocks (boulders, or angular chunks: talus)")
    camera: CameraParams = Field(default_factory=lambda: CameraParams(height_min=1.7, height_max=4.0, pitch_min=-10.0, pitch_max=-3.0, area_radius=10.0, min_sky=0.1),
              description="camera placement")
    vegetation: float = Field(1.0, ge=0.0, le=20.0, description="plant density relative to the biome preset (0 = bare)")


PARAMS: dict[str, type[LandscapeParams]] = {
    "mountain": MountainSceneParams,
    "desert": DesertSceneParams,
    "canyon": CanyonSceneParams,
    "cliff": CliffSceneParams,
    "river": RiverSceneParams,
    "coast": CoastSceneParams,
    "arctic": ArcticSceneParams,
    "lake": LakeSceneParams,
}
