"""Landscape scene types: mountain, desert, canyon, cliff, river, coast, arctic, lake.

Each is a landform (``generators/terrain/landforms.py``) eroded on a grid and
meshed around the camera, plus its water (ocean with Gerstner waves, a river
traced along the grid's drainage, lakes filling the grid's basins to their
spill level, a frozen lake), boulders, sun and sky. One layout and one build
function serve them all; each scene's parameter class (``landscape_params.py``)
holds its landform and defaults, and ``SPECS`` the rest that differs (palette,
biome, plant niches).

The terrain mesh is split by face into semantic parts (ground ``terrain``,
bare ``rock`` on steep slopes, ``snow``, ``sand``) using the same thresholds
the terrain material uses, so segmentation follows the picture. The parts
share their seam vertices exactly (no cracks).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from pydantic import BaseModel

from ..camera import Obstacles, choose_view
from ..core.geometry import vertex_normals
from ..core.mesh import Instances
from ..core.scene import MaterialRef, Object, Scene
from ..core.seeds import SeedTree
from ..core.shot import Shot
from ..generators.ecology import add_vegetation, biome_params
from ..generators.rocks import scatter_rocks, scatter_scree
from ..generators.terrain.field import TerrainField, split_faces
from ..generators.terrain.formations import Formations
from ..generators.terrain.landforms import smoothstep
from ..generators.water import lake_mesh, lake_meshes, ocean_mesh, river_mesh
from ..generators.weather import add_weather
from ..materials.terrain import ROCK_SLOPE
from .base import Built, Layout, SceneRecipe, register
from .landscape_params import (
    PARAMS,
    ArcticSceneParams,
    CanyonSceneParams,
    CliffSceneParams,
    CoastSceneParams,
    DesertSceneParams,
    LakeSceneParams,
    MountainSceneParams,
    RiverSceneParams,
)

SPECS = {  # what differs between landscapes besides their parameter defaults (landscape_params.py)
    "mountain": dict(description=MountainSceneParams.__doc__, palette="mountain", vegetated=True),
    "desert": dict(description=DesertSceneParams.__doc__, palette="desert", vegetated=True),
    "canyon": dict(description=CanyonSceneParams.__doc__, palette="canyon"),
    "cliff": dict(description=CliffSceneParams.__doc__, palette="cliff",
                  rocks_ahead=55.0),  # the scatter disc reaches the wall's foot (~100 m ahead of the view hint)
    "river": dict(description=RiverSceneParams.__doc__, palette="river", vegetated=True),
    "coast": dict(description=CoastSceneParams.__doc__, palette="coast"),
    "arctic": dict(description=ArcticSceneParams.__doc__, palette="arctic", vegetated=True),
    "lake": dict(description=LakeSceneParams.__doc__, palette="mountain", biome="mountain", vegetated=True,
                 plants=dict(trees=dict(water_min=3.0), bushes=dict(water_min=1.0)),  # an open, grassy shore
                 clear_ahead=(25.0, 60.0)),  # no tree or bush in the view nearer than the water (25-60 m)
}


def terrain_parts(mesh, desert: bool, rock_slope: float = ROCK_SLOPE) -> dict[str, object]:
    """Split a terrain mesh into semantic parts by the face means of its masks (``rock_slope``: the
    terrain material's param of that name)."""
    a = mesh.attributes
    fm = {k: a[k][mesh.faces].mean(axis=1) for k in ("slope", "snow", "beach")}
    cls = np.zeros(len(mesh.faces), dtype=np.int64)  # 0 terrain / sand
    cls[fm["slope"] > rock_slope + 0.075] = 1  # rock
    cls[fm["beach"] > 0.5] = 2  # sand
    cls[fm["snow"] > 0.55] = 3  # snow
    names = {0: "sand" if desert else "terrain", 1: "rock", 2: "sand", 3: "snow"}
    return {names[k]: m for k, m in split_faces(mesh, cls).items()}


def landscape_proposals(params, field: TerrainField, surface, rng: np.random.Generator):
    """Camera proposals around the landform's view hint: eyes (N, 3), yaw and pitch (N,) radians."""
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
    return eyes, yaw, pitch


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


@dataclass
class LandscapeState:
    """What a landscape's layout hands to its build."""

    spec: dict
    rocks: list  # Instances of the boulders that stay (dry)
    rock_centre: tuple[float, float]  # the view hint's eye: vegetation is planned around it
    timings: dict


def landscape_layout(name: str, params, seeds: SeedTree) -> Layout:
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

    def place(rng):
        eyes, yaw, pitch = landscape_proposals(params, field, surface, rng)
        return choose_view(params.camera, surface, obstacles, eyes, yaw, pitch)

    return Layout(field, obstacles, place, surface=surface,
                  state=LandscapeState(spec, dry_sets, (cx, cy), timings))


def landscape_build(name: str, params, layout: Layout, shot: Shot, seeds: SeedTree) -> Built:
    field: TerrainField = layout.ground
    st: LandscapeState = layout.state
    spec, timings = st.spec, dict(st.timings)
    cams = shot.cameras()
    cam = shot.first
    t1 = time.perf_counter()
    cones = field.cones(cams)
    terrain_mesh = field.mesh_for(cams, params.mesh)
    timings["terrain_mesh_s"] = time.perf_counter() - t1

    scene = Scene()
    scene.sun, scene.sky = params.sky.make(seeds.child("sky").rng())
    mat_seeds = seeds.child("materials")
    ground_params: tuple = (("palette", spec["palette"]),)
    if name == "desert":  # the sand's ripples run across the dunes' wind
        ground_params += (("wind", round(float(field.landform.angle), 6)),)
    ground_mat = MaterialRef("terrain", mat_seeds.child("ground").int(), ground_params)
    parts = terrain_parts(terrain_mesh, desert=name == "desert")
    for label in ("sand" if name == "desert" else "terrain", "rock", "sand", "snow"):
        if label not in parts:  # empty at this tessellation: its id stays free (ids never follow the size)
            scene.skip_id()
            continue
        scene.add(Object(f"terrain_{label}", parts.pop(label), ground_mat, semantic=label, generator=f"terrain.{name}",
                         params={"terrain": params.terrain.model_dump(), "grid": params.grid.model_dump()}))

    t2 = time.perf_counter()
    w = field.water
    ext, ppt = params.mesh.extent, params.mesh.pixels_per_triangle * 2.5  # smooth sheets: coarser
    water_mat = MaterialRef("water", mat_seeds.child("water").int())
    if w.sea_level is not None:
        sea = ocean_mesh(cones, w.sea_level, params.waves, seeds.child("waves").rng(), extent=ext,
                         pixels_per_triangle=ppt, keep=lambda x, y: field.height(x, y) < w.sea_level + 3.0)
        scene.add(Object("ocean", sea, water_mat, semantic="water", generator="water.ocean",
                         params=params.waves.model_dump()))
    if w.river is not None:
        river_mat = MaterialRef("river_water", mat_seeds.child("river").int())
        scene.add(Object("river", river_mesh(cones, w.river, extent=ext, pixels_per_triangle=ppt,
                                                rng=seeds.child("river_waves").rng()),
                         river_mat, semantic="water", generator="water.river"))
    if w.lake_level is not None:  # arctic: the lake is frozen
        ice = lake_mesh(cones, w.lake_level, extent=ext, pixels_per_triangle=ppt,
                        keep=lambda x, y: field.height(x, y) < w.lake_level + 1.0)
        if ice.n_triangles:
            scene.add(Object("lake_ice", ice, MaterialRef("ice", mat_seeds.child("ice").int()), semantic="ice",
                             generator="water.lake"))
        else:
            scene.skip_id()
    if field.lakes:  # liquid lakes in the terrain's basins, one object each
        lake_mat = MaterialRef("lake_water", mat_seeds.child("lake").int())
        # a flat sheet needs no detail; its shore is hidden under the banks, so it can be coarser still
        sheets = dict((lake.id, m) for lake, m in lake_meshes(cones, field, extent=ext, pixels_per_triangle=2 * ppt))
        for lake in field.lakes:
            m = sheets.get(lake.id)
            if m is None:  # no face of it at this tessellation: keep its id free
                scene.skip_id()
                continue
            scene.add(Object(f"lake{lake.id}", m, lake_mat, semantic="water", generator="water.lake",
                             params={"level": lake.level, "area_m2": lake.area, "max_depth": lake.max_depth}))
    timings["water_s"] = time.perf_counter() - t2

    t3 = time.perf_counter()
    forms = None
    if params.formations.count:  # placed from the first view's pose (not its size); meshed for every camera
        forms = Formations(params.formations, seeds.child("formations"), shot.reference(), field.height)
        fm = forms.mesh(cams)
        if fm.n_triangles:
            v = fm.vertices.astype(np.float64)
            fm.attributes.update(field.masks(v[:, 0], v[:, 1], v[:, 2], vertex_normals(v, fm.faces)))
            fm.attributes["strata"] = forms.beds(v)
            # bare rock on every face of a formation, flat tops too (the terrain material reads rock from
            # the slope mask); the fillet fades into the ground's own cover within its lowest 0.8 m
            up = smoothstep(0.1, 0.8, v[:, 2] - field.height(v[:, 0], v[:, 1]))
            fm.attributes["slope"] = np.maximum(fm.attributes["slope"], 0.75 * up).astype(np.float32)
            scene.add(Object("formations", fm, ground_mat, semantic="rock", generator="terrain.formations",
                             params=params.formations.model_dump()))
        else:
            scene.skip_id()
    timings["formations_s"] = time.perf_counter() - t3

    rock_mat = MaterialRef("rock", mat_seeds.child("rock").int())
    for k, inst in enumerate(st.rocks):
        if forms is not None:  # not inside a formation
            keep = _outside(inst, forms, 0.3)
            if keep.any() and not keep.all():
                inst = Instances(inst.mesh, inst.transforms[keep])
        scene.add(Object(f"rocks{k}", inst, rock_mat, semantic="rock", generator="rocks",
                         params=params.rocks.model_dump()))
    if params.scree.count:  # talus where the slopes around the view break, not on any camera's spot
        eyes = np.array([c.position for c in cams])
        dry = lambda x, y: field.height(x, y) > field.water_level(x, y) + 0.05  # noqa: E731
        for k, inst in enumerate(scatter_scree(params.scree, seeds.child("scree"), field.height, field.normal,
                                               centre=shot.reference().position[:2], keep=dry)):
            p = inst.transforms[:, :3, 3].astype(np.float64)
            keep = np.min(np.hypot(p[:, None, 0] - eyes[None, :, 0], p[:, None, 1] - eyes[None, :, 1]), axis=1) > 1.5
            if forms is not None:
                keep &= _outside(inst, forms, 0.3)
            if not keep.any():
                scene.skip_id()  # never here with another tessellation either: ids stay put
                continue
            scene.add(Object(f"scree{k}", Instances(inst.mesh, inst.transforms[keep]), rock_mat, semantic="rock",
                             generator="rocks.scree", params=params.scree.model_dump()))
    report: dict = {}
    if params.vegetation > 0 and spec.get("vegetated"):  # the biome's plants, following the terrain's masks
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
            report["clear_ahead_m"] = round(clear, 1)
        report["vegetation"] = add_vegetation(scene, veg, field, seeds.child("vegetation"), cams,
                                              centre=st.rock_centre, clear_ahead=clear)
        timings["vegetation_s"] = time.perf_counter() - t4
    if forms is not None:  # plants do not grow through the rock
        report["plants_in_rock_dropped"] = clear_formations(scene, forms)
    add_weather(scene, params.weather, shot.reference(), field.height, seeds.child("weather"), shot.duration())
    report["terrain"] = {"timings_s": {k: round(v, 3) for k, v in timings.items()},
                         "triangles": {o.name: o.n_triangles for o in scene.objects},
                         "near_radius_m": round(cones[0].near, 3)}
    return Built(scene, report)


def _outside(inst: Instances, forms: Formations, margin: float) -> np.ndarray:
    """Which placements of ``inst`` have their origin more than ``margin`` (m, times the placement's
    scale) outside every formation."""
    p = inst.transforms[:, :3, 3].astype(np.float64)
    scale = np.linalg.norm(inst.transforms[:, :3, 0], axis=1)
    return forms.clearance(p + np.array([0.0, 0.0, 0.2])) > margin * scale


def _keep(obj: Object, keep: np.ndarray) -> None:
    """Keep only the placements ``keep`` of an instanced object (ids and groups go with them); an object
    that would lose every placement stays as it is (hidden in the rock)."""
    g = obj.geometry
    if keep.all() or not keep.any():
        return
    obj.geometry = Instances(g.mesh, g.transforms[keep], None if g.ids is None else g.ids[keep])
    if obj.id_groups is not None and not isinstance(obj.id_groups, str):
        obj.id_groups = obj.id_groups[keep]


def clear_formations(scene: Scene, forms: Formations) -> int:
    """Drop plant placements that stand inside a formation, and every placement that carries the id of
    a dropped one (leaves of a dropped tree). Returns how many placements were dropped."""
    plants = [o for o in scene.objects if o.generator.startswith("plants") and o.is_instanced]
    gone: list[np.ndarray] = []
    n = 0
    for o in plants:
        if isinstance(o.id_groups, str):
            continue
        keep = _outside(o.geometry, forms, 0.5)
        if keep.any() and not keep.all():
            gone.append(o.geometry.ids[~keep])
            n += int((~keep).sum())
            _keep(o, keep)
    if gone:
        dead = np.unique(np.concatenate(gone))
        for o in plants:
            if isinstance(o.id_groups, str):
                keep = ~np.isin(o.geometry.ids, dead)
                n += int((~keep).sum())
                _keep(o, keep)
    return n


def _register(name: str, model: type[BaseModel]) -> None:
    spec = SPECS[name]

    def layout(params, seeds: SeedTree) -> Layout:
        return landscape_layout(name, params, seeds)

    def build(params, layout: Layout, shot: Shot, seeds: SeedTree) -> Built:
        return landscape_build(name, params, layout, shot, seeds)

    register(SceneRecipe(name, spec["description"], model, layout, build))


for _name, _model in PARAMS.items():
    _register(_name, _model)
