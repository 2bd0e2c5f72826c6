"""Landscape scene types: mountain, desert, canyon, cliff, river, coast, arctic, lake.

Each is a landform (``generators/terrain/landforms.py``) eroded on a grid and
meshed around the camera, plus its water (ocean with Gerstner waves, a river
traced along the grid's drainage, lakes filling the grid's basins to their
spill level, a frozen lake), boulders, sun and sky. One build function serves them all; a
table (``SPECS``) holds what differs: the landform, the palette, snow line,
camera heights and pitch, rock counts.

The terrain mesh is split by face into semantic parts (ground ``terrain``,
bare ``rock`` on steep slopes, ``snow``, ``sand``) using the same thresholds
the terrain material uses, so segmentation follows the picture. The parts
share their seam vertices exactly (no cracks).
"""

from __future__ import annotations

import time

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, create_model

from ..camera import CameraParams, Obstacles, choose_view
from ..core.camera import CameraRig
from ..core.scene import MaterialRef, Object, Scene
from ..core.seeds import SeedTree
from ..generators.rocks import RockParams, scatter_rocks
from ..generators.terrain import landforms as lf
from ..generators.terrain.erosion import ErosionParams
from ..generators.terrain.field import (CoverParams, GridParams, LakesParams, MeshParams, RiverTraceParams,
                                        TerrainField, near_radius, split_faces, vertex_normals)
from ..generators.terrain.formations import FormationParams, Formations
from ..generators.water import WaveParams, lake_mesh, lake_meshes, ocean_mesh, river_mesh
from ..generators.weather import WeatherParams, add_weather
from ..materials.terrain import ROCK_SLOPE
from .base import SceneRecipe, SkyParams, register
from .vegetation import add_vegetation, biome_params

SPECS = {
    "mountain": dict(
        description="mountain range: eroded ridged peaks, snow above the snow line, seen from a high slope",
        landform=lf.MountainParams, palette="mountain", cover=dict(snowline=700.0, snow_band=120.0),
        lakes=dict(enabled=True, min_area=20000.0, max_area=1.2e6, min_depth=3.0),  # lakes in the grid's basins
        camera=dict(height_min=20.0, height_max=60.0, pitch_min=-12.0, pitch_max=0.0, area_radius=500.0,
                    min_sky=0.1),
        rocks=dict(count=40, radius=80.0, size_median=1.0)),
    "desert": dict(
        description="sand sea: wind-aligned dunes with slip faces and ripples",
        landform=lf.DuneParams, palette="desert", cover=dict(),
        camera=dict(height_min=1.6, height_max=5.0, pitch_min=-10.0, pitch_max=-2.0, area_radius=80.0),
        rocks=dict(count=0), formations=dict(count=2, kinds=("warped", "arch"), size=9.0, distance_min=40.0,
                                             distance_max=120.0)),
    "canyon": dict(
        description="canyon: terraced red-rock walls, mesas and buttes, seen from near the rim",
        landform=lf.CanyonParams, palette="canyon", cover=dict(),
        camera=dict(height_min=25.0, height_max=45.0, pitch_min=-20.0, pitch_max=-8.0, area_radius=40.0),
        rocks=dict(count=40, radius=60.0, size_median=0.8, kind="chunk"),  # angular blocks fallen from the walls
        formations=dict(count=3, kinds=("arch", "hoodoo", "hoodoo"), size=12.0, distance_min=50.0,
                        distance_max=160.0),
        erosion=dict(talus_angle=70.0, thermal_iterations=10)),  # strata walls stay steep
    "cliff": dict(
        description="cliff: a tall stratified rock wall rising from a plain, angular talus blocks at its foot",
        landform=lf.CliffParams, palette="cliff", cover=dict(),
        camera=dict(height_min=1.6, height_max=3.0, pitch_min=4.0, pitch_max=14.0, area_radius=30.0,
                    min_sky=0.03),
        rocks=dict(count=120, radius=65.0, size_median=1.0, kind="chunk", subdivisions=4),  # angular talus
        rocks_ahead=55.0,  # the scatter disc reaches the wall's foot (~100 m ahead of the view hint)
        erosion=dict(talus_angle=70.0, thermal_iterations=10)),
    "river": dict(
        description="river valley: a river along the valley's drainage, carving its bed, hills on both sides",
        landform=lf.RiverParams, palette="river", cover=dict(),
        camera=dict(height_min=2.5, height_max=5.0, pitch_min=-15.0, pitch_max=-5.0, area_radius=5.0),
        rocks=dict(count=50, radius=50.0, size_median=0.5)),
    "coast": dict(
        description="sea coast: a sandy beach, hills behind, an ocean of Gerstner waves to the horizon",
        landform=lf.CoastParams, palette="coast", cover=dict(beach_height=2.5),
        camera=dict(height_min=1.6, height_max=4.0, pitch_min=-8.0, pitch_max=-1.0, area_radius=40.0),
        rocks=dict(count=30, radius=60.0, size_median=0.6),
        formations=dict(count=1, kinds=("arch",), size=16.0, distance_min=90.0, distance_max=160.0)),
    "arctic": dict(
        description="arctic: snow-covered mountains around a frozen lake",
        landform=lf.ArcticParams, palette="arctic", cover=dict(snowline=-20.0, snow_band=20.0, snow_max_slope=0.6),
        camera=dict(height_min=1.7, height_max=6.0, pitch_min=-8.0, pitch_max=0.0, area_radius=40.0),
        rocks=dict(count=20, radius=60.0, size_median=0.8)),
    "lake": dict(
        description="mountain lake: a basin ringed by peaks, filled to its spill level, seen from the shore",
        landform=lf.LakeParams, palette="mountain", cover=dict(snowline=380.0, snow_band=80.0), biome="mountain",
        plants=dict(trees=dict(water_min=3.0), bushes=dict(water_min=1.0)),  # an open, grassy shore
        lakes=dict(enabled=True),
        camera=dict(height_min=1.7, height_max=4.0, pitch_min=-10.0, pitch_max=-3.0, area_radius=10.0,
                    min_sky=0.1),
        clear_ahead=(25.0, 60.0),  # no tree or bush in the view nearer than the water (at least 25 m, at most 60)
        rocks=dict(count=40, radius=60.0, size_median=0.7)),
}


class _Base(BaseModel):
    model_config = ConfigDict(extra="forbid")


VEGETATED = ("desert", "mountain", "river", "arctic", "lake")  # scenes with a plant preset (scenes/vegetation.py)


def _params_model(name: str, spec: dict) -> type[BaseModel]:
    cover, cam, rocks, forms = spec["cover"], spec["camera"], spec["rocks"], spec.get("formations", {})
    ero, lakes = spec.get("erosion", {}), spec.get("lakes", {})
    return create_model(
        f"{name.capitalize()}Params", __base__=_Base,
        terrain=(spec["landform"], Field(default_factory=spec["landform"], description="landform shape")),
        grid=(GridParams, Field(default_factory=GridParams, description="erosion grid")),
        erosion=(ErosionParams, Field(default_factory=lambda: ErosionParams(**ero),
                                      description="hydraulic and thermal erosion")),
        lakes=(LakesParams, Field(default_factory=lambda: LakesParams(**lakes),
                                  description="lakes: the eroded grid's basins filled to their spill level")),
        river=(RiverTraceParams, Field(default_factory=RiverTraceParams,
                                       description="a valley's river traced along the grid's drainage")),
        mesh=(MeshParams, Field(default_factory=MeshParams, description="camera-following meshing")),
        cover=(CoverParams, Field(default_factory=lambda: CoverParams(**cover), description="snow and beach")),
        waves=(WaveParams, Field(default_factory=WaveParams, description="ocean waves")),
        rocks=(RockParams, Field(default_factory=lambda: RockParams(**rocks),
                                 description="scattered rocks (boulders, or angular chunks: talus)")),
        formations=(FormationParams, Field(default_factory=lambda: FormationParams(**forms),
                                           description="arches, hoodoos, warped rocks (SDF, marching cubes)")),
        sky=(SkyParams, Field(default_factory=SkyParams, description="sun and sky")),
        camera=(CameraParams, Field(default_factory=lambda: CameraParams(**cam), description="camera placement")),
        vegetation=(float, Field(1.0 if name in VEGETATED else 0.0, ge=0.0, le=20.0,
                                 description="plant density relative to the biome preset (0 = bare)")),
        weather=(WeatherParams, Field(default_factory=WeatherParams, description="rain, snow, dust, leaves, fog")),
    )


def terrain_parts(mesh, desert: bool) -> dict[str, object]:
    """Split a terrain mesh into semantic parts by the face means of its masks."""
    a = mesh.attributes
    fm = {k: a[k][mesh.faces].mean(axis=1) for k in ("slope", "snow", "beach")}
    cls = np.zeros(len(mesh.faces), dtype=np.int64)  # 0 terrain / sand
    cls[fm["slope"] > ROCK_SLOPE + 0.075] = 1  # rock
    cls[fm["beach"] > 0.5] = 2  # sand
    cls[fm["snow"] > 0.55] = 3  # snow
    names = {0: "sand" if desert else "terrain", 1: "rock", 2: "sand", 3: "snow"}
    return {names[k]: m for k, m in split_faces(mesh, cls).items()}


def place_landscape_camera(params, field: TerrainField, surface, obstacles: Obstacles, width: int, height: int,
                           rng: np.random.Generator):
    """Proposals around the landform's view hint, scored by ``choose_view`` (never fails)."""
    c = params.camera
    hint = field.view_hint()
    n = c.proposals
    rad = c.area_radius * np.sqrt(rng.uniform(0, 1, n))
    ang = rng.uniform(0, 2 * np.pi, n)
    xy = hint.eye[None, :] + np.stack([rad * np.cos(ang), rad * np.sin(ang)], -1)
    if field.lakes:  # stand on land, not on a lake (when enough proposals are dry)
        wet = field.water_level(xy[:, 0], xy[:, 1]) > field.height(xy[:, 0], xy[:, 1])
        if (~wet).sum() >= max(4, n // 8):
            xy[wet] = xy[~wet][np.arange(wet.sum()) % (~wet).sum()]
    lift = rng.uniform(c.height_min, max(c.height_min, c.height_max), n)
    yaw = hint.yaw + rng.uniform(-hint.yaw_spread, hint.yaw_spread, n)
    pitch = np.radians(rng.uniform(c.pitch_min, max(c.pitch_min, c.pitch_max), n))
    eyes = np.stack([xy[:, 0], xy[:, 1], surface(xy[:, 0], xy[:, 1]) + lift], -1)
    return choose_view(c, width, height, surface, obstacles, eyes, yaw, pitch)


def water_ahead(field: TerrainField, cam, max_distance: float, step: float = 1.0) -> float:
    """Median over 7 headings across the camera's view of the ground distance from the eye to the first
    water (``max_distance`` for a heading that meets none that near)."""
    fwd = cam.cam_to_world[:3, 2]
    yaw = float(np.arctan2(fwd[1], fwd[0]))
    ang = yaw + np.linspace(-0.5, 0.5, 7) * cam.hfov
    d = np.arange(step, max_distance + step, step)
    x = cam.position[0] + np.cos(ang)[:, None] * d[None, :]
    y = cam.position[1] + np.sin(ang)[:, None] * d[None, :]
    wet = field.water_level(x, y) > field.height(x, y)
    first = np.where(wet.any(axis=1), d[np.argmax(wet, axis=1)], max_distance)
    return float(np.median(first))


def build_landscape(name: str, params, seeds: SeedTree, width: int, height: int):
    spec = SPECS[name]
    timings = {}
    t0 = time.perf_counter()
    field = TerrainField(params.terrain, seeds.child("terrain"), params.grid, params.erosion, params.cover,
                         params.lakes, params.river)
    timings["terrain_field_s"] = time.perf_counter() - t0

    def surface(x, y):
        return np.maximum(field.height(x, y), field.water_level(x, y))

    # boulders around where the camera will stand (the rock scatter works in a disc at the origin); a
    # spec's rocks_ahead moves the disc along the view heading (cliff: talus out to the wall's foot), and
    # then rocks on ground steep enough to be bare rock (the wall's face) are dropped
    hint = field.view_hint()
    cx, cy = float(hint.eye[0]), float(hint.eye[1])
    ahead = float(spec.get("rocks_ahead", 0.0))
    rx, ry = cx + ahead * np.cos(hint.yaw), cy + ahead * np.sin(hint.yaw)
    rock_sets = scatter_rocks(params.rocks, seeds.child("rocks"),
                              lambda x, y: field.height(np.asarray(x) + rx, np.asarray(y) + ry),
                              lambda x, y: field.normal(np.asarray(x) + rx, np.asarray(y) + ry))
    dry_sets = []
    for inst in rock_sets:
        inst.transforms[:, 0, 3] += rx
        inst.transforms[:, 1, 3] += ry
        p = inst.transforms[:, :3, 3].astype(np.float64)
        keep = p[:, 2] > field.water_level(p[:, 0], p[:, 1]) - 0.3  # dry
        if ahead:
            keep &= 1.0 - field.normal(p[:, 0], p[:, 1])[:, 2] < ROCK_SLOPE
        if keep.any():
            inst.transforms = np.ascontiguousarray(inst.transforms[keep])
            dry_sets.append(inst)
    obstacles = Obstacles.from_instances(dry_sets)
    cam, cam_report = place_landscape_camera(params, field, surface, obstacles, width, height,
                                             seeds.child("camera").rng())

    t1 = time.perf_counter()
    fwd = cam.cam_to_world[:3, 2]
    yaw = float(np.arctan2(fwd[1], fwd[0]))
    eye = cam.position
    near = near_radius(cam, float(surface(eye[:1], eye[1:2])[0]))
    terrain_mesh = field.mesh_around(eye, yaw, cam.hfov, width, params.mesh, near=near)
    timings["terrain_mesh_s"] = time.perf_counter() - t1

    scene = Scene()
    scene.sun, scene.sky = params.sky.make(seeds.child("sky").rng())
    mat_seeds = seeds.child("materials")
    ground_mat = MaterialRef("terrain", mat_seeds.child("ground").int(), (("palette", spec["palette"]),))
    for label, part in terrain_parts(terrain_mesh, desert=name == "desert").items():
        scene.add(Object(f"terrain_{label}", part, ground_mat, semantic=label, generator=f"terrain.{name}",
                         params={"terrain": params.terrain.model_dump(), "grid": params.grid.model_dump()}))

    t2 = time.perf_counter()
    w = field.water
    ext, ppt = params.mesh.extent, params.mesh.pixels_per_triangle * 2.5  # smooth sheets: coarser
    water_mat = MaterialRef("water", mat_seeds.child("water").int())
    if w.sea_level is not None:
        sea = ocean_mesh(eye, yaw, cam.hfov, width, w.sea_level, params.waves, seeds.child("waves").rng(),
                         extent=ext, pixels_per_triangle=ppt, near=near,
                         keep=lambda x, y: field.height(x, y) < w.sea_level + 3.0)
        scene.add(Object("ocean", sea, water_mat, semantic="water", generator="water.ocean",
                         params=params.waves.model_dump()))
    if w.river is not None:
        scene.add(Object("river", river_mesh(eye, yaw, cam.hfov, width, w.river, extent=ext,
                                             pixels_per_triangle=ppt, near=near),
                         water_mat, semantic="water", generator="water.river"))
    if w.lake_level is not None:  # arctic: the lake is frozen
        ice = lake_mesh(eye, yaw, cam.hfov, width, w.lake_level, extent=ext, pixels_per_triangle=ppt, near=near,
                        keep=lambda x, y: field.height(x, y) < w.lake_level + 1.0)
        if ice.n_triangles:
            scene.add(Object("lake_ice", ice, MaterialRef("ice", mat_seeds.child("ice").int()), semantic="ice",
                             generator="water.lake"))
    if field.lakes:  # liquid lakes in the terrain's basins, one object each
        lake_mat = MaterialRef("lake_water", mat_seeds.child("lake").int())
        # a flat sheet needs no detail; its shore is hidden under the banks, so it can be coarser still
        for lake, m in lake_meshes(eye, yaw, cam.hfov, width, field, extent=ext, pixels_per_triangle=2 * ppt,
                                   near=near):
            scene.add(Object(f"lake{lake.id}", m, lake_mat, semantic="water", generator="water.lake",
                             params={"level": lake.level, "area_m2": lake.area, "max_depth": lake.max_depth}))
    timings["water_s"] = time.perf_counter() - t2

    t3 = time.perf_counter()
    if params.formations.count:
        pitch = float(np.arcsin(np.clip(fwd[2], -1, 1)))
        vfov = 2 * np.arctan(0.5 * height / cam.K[1, 1])
        forms = Formations(params.formations, seeds.child("formations"), eye, yaw, cam.hfov, field.height)
        fm = forms.mesh(eye, yaw, pitch, cam.hfov, vfov, width)
        if fm.n_triangles:
            v = fm.vertices.astype(np.float64)
            fm.attributes.update(field.masks(v[:, 0], v[:, 1], v[:, 2], vertex_normals(v, fm.faces)))
            scene.add(Object("formations", fm, ground_mat, semantic="rock", generator="terrain.formations",
                             params=params.formations.model_dump()))
    timings["formations_s"] = time.perf_counter() - t3

    rock_mat = MaterialRef("rock", mat_seeds.child("rock").int())
    for k, inst in enumerate(dry_sets):
        scene.add(Object(f"rocks{k}", inst, rock_mat, semantic="rock", generator="rocks",
                         params=params.rocks.model_dump()))
    if params.vegetation > 0 and name in VEGETATED:  # the biome's plants, following the terrain's masks
        t4 = time.perf_counter()
        veg = biome_params(spec.get("biome", name))
        for layer_name, niche in spec.get("plants", {}).items():  # the scene's own niche changes
            layer = getattr(veg, layer_name)
            if layer is not None:
                layer.niche = layer.niche.model_copy(update=niche)
        for layer in (veg.trees, veg.bushes, veg.grass, veg.flowers, veg.ferns, veg.cacti):
            if layer is not None:
                layer.niche.density *= params.vegetation
        clear = 0.0
        if "clear_ahead" in spec:  # large plants kept out of the view cone up to the water
            lo, hi = spec["clear_ahead"]
            clear = float(np.clip(water_ahead(field, cam, hi), lo, hi))
            cam_report["clear_ahead_m"] = round(clear, 1)
        cam_report["vegetation"] = add_vegetation(scene, veg, field, seeds.child("vegetation"), cam, centre=(cx, cy),
                                                  clear_ahead=clear)
        timings["vegetation_s"] = time.perf_counter() - t4
    add_weather(scene, params.weather, cam, field.height, seeds.child("weather"))
    report = {"camera_placement": cam_report,
              "terrain": {"timings_s": {k: round(v, 3) for k, v in timings.items()},
                          "triangles": {o.name: o.n_triangles for o in scene.objects},
                          "near_radius_m": round(near, 3)}}
    return scene, CameraRig.mono(cam), report


def _register(name: str) -> None:
    spec = SPECS[name]
    model = _params_model(name, spec)

    def build(params, seeds: SeedTree, width: int, height: int):
        return build_landscape(name, params, seeds, width, height)

    register(SceneRecipe(name, spec["description"], model, build))


for _name in SPECS:
    _register(_name)
