"""Mountain meadow: a grassy valley floor ringed by ridged, snow-capped mountains.

The showcase scene. The valley floor (``Heightfield``) is dressed with the ``meadow``
biome (``generators/ecology/biomes.py``): dense grass of mixed blade shapes with dry
patches and bare spots, wildflowers in one-colour patches, spruce groves and dwarf
shrubs, clustered pebbles and lichen; boulders are strewn over it (``rocks.py``).
Where the rolling floor holds a basin (found with the terrain's own lake finder,
``terrain/field.find_lakes``, on a grid around the origin), it is filled to its
spill level as a pond, and the camera stands in the meadow looking across it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from ..camera import CameraParams, Obstacles, choose_view, place_camera
from ..core.scene import MaterialRef, Object, Scene
from ..core.seeds import SeedTree
from ..core.shot import Shot
from ..generators.ecology import Vegetation, VegetationParams, biome_params, scale_grass
from ..generators.rocks import RockParams, scatter_rocks
from ..generators.terrain import Heightfield, TerrainParams
from ..generators.terrain.field import LakesParams, find_lakes
from ..generators.terrain.lod import cones_from_cameras
from ..generators.water import lake_mesh
from ..generators.weather import WeatherParams, add_weather
from .base import Built, Layout, SceneRecipe, SkyParams, register


class PondParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool = Field(True, description="fill a basin of the valley floor near the origin as a pond (if it holds one)")
    search_radius: float = Field(260.0, ge=20.0, le=2000.0, description="basins are looked for within this distance of the origin, m")
    cell: float = Field(3.0, ge=0.5, le=20.0, description="grid cell of the basin search, m")
    min_area: float = Field(2500.0, ge=0.0, le=1e7, description="smallest pond surface, m^2")
    max_area: float = Field(80000.0, ge=0.0, le=1e8, description="largest pond surface, m^2 (a larger basin stays dry)")
    min_depth: float = Field(0.6, ge=0.0, le=100.0, description="shallowest pond (deepest point), m")
    view_distance: tuple[float, float] = Field((6.0, 35.0), description="the camera stands this far from the shore, m")


class MeadowParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    terrain: TerrainParams = Field(default_factory=TerrainParams)
    rocks: RockParams = Field(default_factory=lambda: RockParams(count=140, radius=110.0))
    sky: SkyParams = Field(default_factory=SkyParams)
    camera: CameraParams = Field(default_factory=lambda: CameraParams(height_min=1.4, height_max=2.0, pitch_min=-9.0,
                                                                      pitch_max=-2.0, area_radius=60.0, min_sky=0.12))
    weather: WeatherParams = Field(default_factory=WeatherParams)
    snowline: float = Field(450.0, ge=-1000.0, le=10000.0, description="altitude where snow starts, m")
    pond: PondParams = Field(default_factory=PondParams)
    grass_density: float = Field(1.0, ge=0.0, le=50.0, description="grass blades per m^2 relative to the preset (above 1 the tufts grow first, up to 4x the blades)")
    flower_density: float = Field(1.0, ge=0.0, le=50.0, description="wildflowers relative to the preset")
    tree_density: float = Field(1.0, ge=0.0, le=50.0, description="spruce groves and shrubs relative to the preset")
    vegetation: VegetationParams | None = Field(None, description="full vegetation override (ignores the knobs above)")

    def vegetation_params(self) -> VegetationParams:
        if self.vegetation is not None:
            return self.vegetation
        v = biome_params("meadow")
        scale_grass(v, self.grass_density)
        if v.dry_grass is not None:
            v.dry_grass.niche.density *= self.grass_density
        v.flowers.niche.density *= self.flower_density
        v.trees.niche.density *= self.tree_density
        v.bushes.niche.density *= self.tree_density
        return v


@dataclass
class Pond:
    """A filled basin: flat water at ``level`` over the grid cells ``cells``."""

    level: float
    area: float
    centroid: np.ndarray
    x0: float
    cell: float
    cells: np.ndarray  # bool (rows: y, columns: x)

    def holds(self, x, y) -> np.ndarray:
        """Whether each point lies over the basin's cells (grown by one cell: the terrain hides the rest)."""
        n = self.cells.shape[0]
        j = np.rint((np.asarray(x, dtype=np.float64) - self.x0) / self.cell).astype(np.int64)
        i = np.rint((np.asarray(y, dtype=np.float64) - self.x0) / self.cell).astype(np.int64)
        inside = (i >= 0) & (j >= 0) & (i < n) & (j < n)
        return inside & self._grown[np.clip(i, 0, n - 1), np.clip(j, 0, n - 1)]

    def __post_init__(self) -> None:
        from scipy import ndimage

        self._grown = ndimage.binary_dilation(self.cells, iterations=2)


def find_pond(field: Heightfield, p: PondParams) -> Pond | None:
    """The pond nearest the origin among the valley floor's basins that are large and deep enough."""
    if not p.enabled:
        return None
    ax = np.arange(-p.search_radius, p.search_radius + 0.5 * p.cell, p.cell)
    X, Y = np.meshgrid(ax, ax)
    lakes, _ = find_lakes(field.height(X, Y), p.cell, float(ax[0]),
                          LakesParams(enabled=True, min_area=p.min_area, max_area=p.max_area, min_depth=p.min_depth,
                                      max_count=8))
    if not lakes:
        return None
    lake = min(lakes, key=lambda lk: float(np.hypot(*lk.centroid)))
    return Pond(lake.level, lake.area, lake.centroid, float(ax[0]), p.cell, lake.cells)


@dataclass
class MeadowState:
    rocks: list
    vegetation: Vegetation
    pond: Pond | None


def _pond_proposals(params: MeadowParams, pond: Pond, surface, rng: np.random.Generator):
    """Eyes in the meadow (``pond.view_distance`` from the pond's shore), looking across it (with jitter)."""
    from scipy import ndimage

    c = params.camera
    dist = ndimage.distance_transform_edt(~pond.cells) * pond.cell
    lo, hi = params.pond.view_distance
    ii, jj = np.nonzero((dist >= lo) & (dist <= max(hi, lo + pond.cell)))
    if len(ii) == 0:
        return None
    k = rng.integers(0, len(ii), c.proposals)
    xy = np.stack([pond.x0 + jj[k] * pond.cell, pond.x0 + ii[k] * pond.cell], -1) + rng.uniform(-0.5, 0.5, (len(k), 2)) * pond.cell
    to = pond.centroid[None] - xy
    yaw = np.arctan2(to[:, 1], to[:, 0]) + rng.uniform(-0.45, 0.45, len(k))
    pitch = np.radians(rng.uniform(c.pitch_min, max(c.pitch_min, c.pitch_max), len(k)))
    lift = rng.uniform(c.height_min, max(c.height_min, c.height_max), len(k))
    eyes = np.stack([xy[:, 0], xy[:, 1], surface(xy[:, 0], xy[:, 1]) + lift], -1)
    return eyes, yaw, pitch


def layout(params: MeadowParams, seeds: SeedTree) -> Layout:
    field = Heightfield(params.terrain, seeds.child("terrain"))
    pond = find_pond(field, params.pond)

    def water_level(x, y):
        if pond is None:
            return np.full(np.shape(x), -np.inf)
        return np.where(pond.holds(x, y), pond.level, -np.inf)

    def surface(x, y):
        return np.maximum(field.height(x, y), water_level(x, y))

    # boulders and plants are planned around where the camera will stand: the pond, or the origin
    cx, cy = (float(pond.centroid[0]), float(pond.centroid[1])) if pond is not None else (0.0, 0.0)
    pond_r = float(np.sqrt(pond.area / np.pi)) if pond is not None else 0.0
    rock_params = params.rocks.model_copy(update={"radius": params.rocks.radius + pond_r})
    rock_sets = []
    for inst in scatter_rocks(rock_params, seeds.child("rocks"), lambda x, y: field.height(np.asarray(x) + cx, np.asarray(y) + cy),
                              lambda x, y: field.normal(np.asarray(x) + cx, np.asarray(y) + cy)):
        inst.transforms[:, 0, 3] += cx
        inst.transforms[:, 1, 3] += cy
        p = inst.transforms[:, :3, 3].astype(np.float64)
        keep = p[:, 2] > water_level(p[:, 0], p[:, 1]) - 0.2  # no boulder drowned in the pond
        if keep.any():
            inst.transforms = np.ascontiguousarray(inst.transforms[keep])
            rock_sets.append(inst)
    vp = params.vegetation_params()
    if params.vegetation is None:
        vp.area_radius = min(vp.area_radius + pond_r, 2000.0)
    veg = Vegetation(vp, field.height, field.normal, seeds.child("vegetation"), centre=(cx, cy),
                     water_level=water_level)
    planned = veg.plan()
    rocks = Obstacles.from_instances(rock_sets)
    obstacles = Obstacles(np.concatenate([rocks.centers, planned.centers]), np.concatenate([rocks.radii, planned.radii]))

    def place(rng):
        prop = _pond_proposals(params, pond, surface, rng) if pond is not None else None
        if prop is None:
            return place_camera(params.camera, surface, obstacles, rng)
        return choose_view(params.camera, surface, obstacles, *prop)

    report = {"pond": None if pond is None else {"level": round(pond.level, 3), "area_m2": round(pond.area, 1)}}
    return Layout(field, obstacles, place, surface=surface, state=MeadowState(rock_sets, veg, pond), report=report)


def build(params: MeadowParams, layout: Layout, shot: Shot, seeds: SeedTree) -> Built:
    field, st = layout.ground, layout.state
    cams = shot.cameras()
    terrain_mesh = field.mesh_for(cams)
    scene = Scene()
    scene.sun, scene.sky = params.sky.make(seeds.child("sky").rng())
    mat_seeds = seeds.child("materials")
    scene.add(Object("terrain", terrain_mesh,
                     MaterialRef("meadow_ground", mat_seeds.child("ground").int(),
                                 (("snowline", params.snowline),)),
                     semantic="terrain", generator="terrain.heightfield",
                     params=params.terrain.model_dump()))
    pond = st.pond
    if pond is not None:  # a flat sheet over the basin; its shore is hidden under the banks
        reach = float(max(np.hypot(*(c.position[:2])) for c in cams)) + params.pond.search_radius + 50.0
        sheet = lake_mesh(cones_from_cameras(cams), pond.level, extent=reach, pixels_per_triangle=8.0,
                          keep=lambda x, y: pond.holds(x, y) & (field.height(x, y) < pond.level + 0.5))
        if sheet.n_triangles:
            scene.add(Object("pond", sheet, MaterialRef("lake_water", mat_seeds.child("pond").int()),
                             semantic="water", generator="water.lake",
                             params={"level": pond.level, "area_m2": pond.area}))
        else:
            scene.skip_id()
    rock_mat = MaterialRef("rock", mat_seeds.child("rock").int())
    for k, inst in enumerate(st.rocks):
        scene.add(Object(f"rocks{k}", inst, rock_mat, semantic="rock", generator="rocks",
                         params=params.rocks.model_dump()))
    report = st.vegetation.build(scene, cams)
    add_weather(scene, params.weather, shot.reference(), field.height, seeds.child("weather"), shot.duration())
    return Built(scene, {"vegetation": report, "pond": layout.report.get("pond"), "sky": scene.sky.drawn})


register(SceneRecipe("meadow", "mountain meadow: grass, wildflowers, boulders, a pond, ridged mountains", MeadowParams,
                     layout, build))
