"""Cave: a camera inside a chamber of a tunnel system carved under rolling hills.

The rock is a signed distance field (ground minus turtle-path tunnels and
chambers, smooth booleans, noisy walls). Two meshes make its surface:

- the cave: marching cubes of the rock SDF on a camera-centred spherical grid
  (``generators/terrain/sdf.py``), only near the tunnels (a bound from the
  bare capsules), keeping the faces that lie below the ground surface by more
  than ``ground_eps`` (walls, floors, the lips of the openings);
- the ground: the heightfield mesher every landscape uses (camera-centred
  polar grid out to the horizon), minus the faces over the openings (where a
  ground point is inside the cave's air by more than ``opening_eps``).

Between the two thresholds both meshes exist, so the openings have no gap,
and the ground runs on to the horizon: looking out through the entrance or
the shaft shows hills, not the end of the world. Daylight enters through a
collapsed shaft above the first chamber (the camera's room) and through the
entrance tunnel; the sun is drawn high so it reaches in. Faces under the
ground surface are labelled ``cave_wall``, the open ground ``terrain``.
"""

from __future__ import annotations

import time

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from ..core.axes import yaw_pitch_to_cam
from ..core.camera import Camera, CameraRig
from ..core.scene import MaterialRef, Object, PointLight, Scene
from ..core.seeds import SeedTree
from ..generators.noise import fbm2
from ..generators.terrain.field import (
    GridParams,
    HeightCache,
    MeshParams,
    TerrainField,
    vertex_normals,
)
from ..generators.terrain.landforms import PlainsParams, smoothstep
from ..generators.terrain.sdf import (
    CaveParams,
    CaveSystem,
    SphericalGridParams,
    keep_off_ground,
    mesh_sdf_spherical,
    spherical_axes,
    submesh,
)
from .base import SceneRecipe, SkyParams, register


class CaveCameraParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    hfov: float = Field(80.0, ge=10.0, le=150.0, description="horizontal field of view, degrees")
    pitch_min: float = Field(-8.0, ge=-60.0, le=60.0, description="lowest pitch, degrees")
    pitch_max: float = Field(6.0, ge=-60.0, le=60.0, description="highest pitch, degrees")
    eye_height: float = Field(2.2, ge=0.3, le=20.0, description="eye height above the chamber's nominal floor, m")
    proposals: int = Field(16, ge=1, le=1000, description="views scored (wall distance variety, no sky)")
    headlamp: float = Field(40.0, ge=0.0, le=10000.0, description="power of a lamp just above the camera, W (0 = daylight only)")


class CaveSceneParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    terrain: PlainsParams = Field(default_factory=lambda: PlainsParams(hills_height=25.0, far_mountains=0.0),
                                  description="the land above the cave")
    grid: GridParams = Field(default_factory=lambda: GridParams(size=600.0, resolution=128, erosion=False),
                             description="terrain grid (erosion off: the surface is barely seen)")
    cave: CaveParams = Field(default_factory=CaveParams, description="tunnels and chambers")
    mesh: SphericalGridParams = Field(default_factory=SphericalGridParams,
                                      description="spherical marching-cubes grid (r_max grows to hold the whole cave)")
    ground_mesh: MeshParams = Field(default_factory=lambda: MeshParams(pixels_per_triangle=4.0),
                                    description="heightfield ground to the horizon (seen only through the openings)")
    ground_eps: float = Field(0.04, ge=0.001, le=5.0, description="cave faces this far below the ground are kept, m")
    opening_eps: float = Field(0.25, ge=0.002, le=10.0,
                               description="ground faces this far inside the cave air are cut (> ground_eps), m")
    sky: SkyParams = Field(default_factory=lambda: SkyParams(latitude=15.0, day_of_year=172, min_sun_elevation=65.0, clouds=0.1, sun_strength=6.0), description="sun and sky")
    camera: CaveCameraParams = Field(default_factory=CaveCameraParams, description="camera in the first chamber")


def sphere_trace(sdf, origins: np.ndarray, dirs: np.ndarray, far: float, steps: int = 96) -> np.ndarray:
    """Distance along each ray to the SDF's zero set (inf if none within ``far``)."""
    t = np.full(len(dirs), 0.05)
    hit = np.zeros(len(dirs), dtype=bool)
    for _ in range(steps):
        live = ~hit & (t < far)
        if not live.any():
            break
        d = sdf(origins[live] + dirs[live] * t[live, None])
        idx = np.flatnonzero(live)
        hit[idx[d < 0.02]] = True
        t[idx] += np.maximum(d * 0.8, 0.02)
    return np.where(hit, t, np.inf)


def build(params: CaveSceneParams, seeds: SeedTree, width: int, height: int):
    timings = {}
    t0 = time.perf_counter()
    field = TerrainField(params.terrain, seeds.child("terrain"), params.grid)
    cave = CaveSystem(params.cave, seeds.child("cave"), field.height)
    centre, radius = (cave.chambers[0] if cave.chambers else (cave.path[0], params.cave.radius))
    ground = HeightCache(field.height, centre, max(params.mesh.r_max, cave.reach(centre)) + 20.0, 1.0)

    def sdf(p):
        return cave.sdf(p, ground=ground)

    timings["sdf_setup_s"] = time.perf_counter() - t0

    # camera: in the first chamber, looking along the tunnel that leaves it
    rng = seeds.child("camera").rng()
    c = params.camera
    out_dir = cave.path[1] - cave.path[0] if len(cave.path) > 1 else np.array([1.0, 0, 0])
    base_yaw = float(np.arctan2(out_dir[1], out_dir[0]))
    floor = centre[2] - radius
    cams, clear = [], []
    for k in range(c.proposals):
        back = -0.35 * radius * out_dir[:2] / max(np.hypot(*out_dir[:2]), 1e-9)  # step back from the shaft
        eye = centre + np.array([*(back + rng.uniform(-0.15, 0.15, 2) * radius), 0.0])
        eye[2] = floor + c.eye_height + rng.uniform(0, 0.5)
        yaw = base_yaw + rng.uniform(-0.6, 0.6)
        pitch = np.radians(rng.uniform(c.pitch_min, max(c.pitch_min, c.pitch_max)))
        cams.append(Camera.from_hfov(width, height, c.hfov, yaw_pitch_to_cam(eye, yaw, pitch)))
    clear = sdf(np.array([cm.position for cm in cams]))
    # all proposals' probe rays traced together (one SDF call per step)
    probes = [Camera(cm.K * np.array([[16 / width], [12 / height], [1]]), cm.cam_to_world, 16, 12) for cm in cams]
    dirs = np.concatenate([pr.pixel_rays().reshape(-1, 3) for pr in probes])
    origins = np.repeat(np.array([cm.position for cm in cams]), 16 * 12, axis=0)
    dist = sphere_trace(sdf, origins, dirs, params.mesh.r_max).reshape(len(cams), -1)
    best, best_score, report = None, -np.inf, {}
    for k, cam in enumerate(cams):
        if clear[k] < 0.8:
            continue
        sky = float(np.mean(~np.isfinite(dist[k])))
        fin = dist[k][np.isfinite(dist[k])]
        score = (float(np.std(np.log(fin))) if len(fin) > 1 else 0.0) + 0.2 * min(float(clear[k]), 3.0) - 5.0 * sky
        if score > best_score:
            best, best_score = cam, score
            report = {"method": "proposal", "proposal": k, "score": score, "sky_fraction": sky,
                      "clearance_m": float(clear[k])}
    if best is None:  # no proposal had clearance: the chamber centre, level view
        eye = centre.copy()
        best = Camera.from_hfov(width, height, c.hfov, yaw_pitch_to_cam(eye, base_yaw, 0.0))
        report = {"method": "fallback: chamber centre", "clearance_m": float(sdf(eye[None])[0])}
    cam = best

    t1 = time.perf_counter()
    fwd = cam.cam_to_world[:3, 2]
    yaw, pitch = float(np.arctan2(fwd[1], fwd[0])), float(np.arcsin(np.clip(fwd[2], -1, 1)))
    vfov = 2 * np.arctan(0.5 * height / cam.K[1, 1])
    eye = cam.position
    gp = params.mesh.model_copy(update={"r_max": max(params.mesh.r_max, cave.reach(eye))})
    axes = spherical_axes(eye, yaw, pitch, cam.hfov, vfov, width, gp)
    mc_stats = {}
    walls = mesh_sdf_spherical(sdf, eye, *axes, bound=cave.bound, last=0.0, stats=mc_stats)
    walls = keep_off_ground(walls, ground, params.ground_eps, side=-1)
    timings["marching_cubes_s"] = time.perf_counter() - t1

    t2 = time.perf_counter()
    # ground within a horizontal radius of the camera's depth below it is seen above 45 degrees
    # (outside any cave view): meshed coarsely there (polar.py's ``near``)
    depth = float(ground(eye[:1], eye[1:2])[0] - eye[2])
    hf = field.mesh_around(eye, yaw, cam.hfov, width, params.ground_mesh, near=max(0.8 * depth, 0.0))
    hv = hf.vertices.astype(np.float64)
    opening = np.zeros(len(hv), dtype=bool)
    near = cave.bound(hv) < 0  # the SDF differs from the ground only near the tunnels
    if near.any():
        opening[near] = sdf(hv[near]) > params.opening_eps
    ground_mesh = submesh(hf, ~opening[hf.faces].all(axis=1))
    timings["ground_mesh_s"] = time.perf_counter() - t2

    mesh = walls
    v = mesh.vertices.astype(np.float64)
    nrm = vertex_normals(v, mesh.faces)
    gz = ground(v[:, 0], v[:, 1])
    under = smoothstep(0.5, 2.0, gz - v[:, 2])  # 1 on cave walls (below the surface)
    perm = field._perm_masks
    patch = np.clip(0.5 + 0.9 * fbm2(v[:, 0] / 7.0, v[:, 1] / 7.0 + v[:, 2] / 5.0, perm, 3), 0, 1)
    dirt = np.clip(0.5 + 0.9 * fbm2(v[:, 0] / 2.0 + 57.0, v[:, 1] / 2.0 + v[:, 2] / 3.0, perm, 3), 0, 1)
    f32 = lambda a: np.ascontiguousarray(a, dtype=np.float32)
    zero = np.zeros(len(v))
    mesh.attributes.update({
        "slope": f32(1.0 - nrm[:, 2]), "height": f32(v[:, 2]), "cave": f32(under),
        "moisture": f32(under * 0.7), "water_dist": f32(zero + 1e3), "snow": f32(zero), "beach": f32(zero),
        "patch": f32(patch), "dirt": f32(dirt)})
    fc = (under[mesh.faces].mean(axis=1) > 0.5).astype(np.int64)

    scene = Scene()
    scene.sun, scene.sky = params.sky.make(seeds.child("sky").rng())
    if params.camera.headlamp > 0:  # an explorer's lamp: the cave is not only lit through the shaft
        up = -cam.cam_to_world[:3, 1]
        scene.lights.append(PointLight(cam.position + 0.3 * up, power=params.camera.headlamp))
    mat_seeds = seeds.child("materials")
    names = {0: ("terrain", MaterialRef("terrain", mat_seeds.child("ground").int(), (("palette", "plains"),))),
             1: ("cave_wall", MaterialRef("terrain", mat_seeds.child("walls").int(), (("palette", "cave"),)))}
    if ground_mesh.n_triangles:
        scene.add(Object("terrain", ground_mesh, names[0][1], semantic="terrain", generator="terrain.cave_ground",
                         params={"terrain": params.terrain.model_dump()}))
    for k in (0, 1):
        if not (fc == k).any():
            continue
        part = submesh(mesh, fc == k)
        label, mat = names[k]
        scene.add(Object("cave_wall" if k else "cave_lip", part, mat, semantic=label, generator="terrain.sdf_cave",
                         params={"cave": params.cave.model_dump()}))
    report = {"camera_placement": report,
              "terrain": {"timings_s": {k: round(x, 3) for k, x in timings.items()},
                          "marching_cubes": mc_stats, "sdf_r_max_m": round(gp.r_max, 1),
                          "triangles": {o.name: o.n_triangles for o in scene.objects}}}
    return scene, CameraRig.mono(cam), report


register(SceneRecipe("cave", "cave: tunnels and chambers under hills, lit through a collapsed shaft; SDF + marching cubes",
                     CaveSceneParams, build))
