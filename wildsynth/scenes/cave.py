"""Cave: a camera inside a tunnel system carved under rolling hills.

The rock is a signed distance field (ground minus turtle-path tunnels and
chambers, smooth booleans, noisy walls). Two meshes make its surface:

- the ground: the heightfield mesher every landscape uses (camera-centred
  polar grid out to the horizon), cut where the ground lies inside the cave's
  air by more than ``opening_eps`` (the shaft and the entrance): faces wholly
  inside are dropped, faces across the rim are clipped at it
  (``cut_openings``), so the rim neither overhangs nor gapes;
- the cave: marching cubes of the rock SDF on a camera-centred spherical grid
  (``generators/terrain/sdf.py``), only near the tunnels (a bound from the
  bare capsules), keeping the faces more than ``ground_eps`` below the ground
  (walls, floors, lips) and every face over a ground triangle the cut touched.

So the two meshes overlap around each rim whatever their discretisation
errors (no gap: tested with rays from above and from the entrance), and the
ground runs on to the horizon: looking out through the entrance or the shaft
shows hills, not the end of the world. The camera stands in the first chamber
(``view`` = "chamber": sees no sky; daylight through a collapsed shaft above
it and the headlamp) or in the entrance tunnel looking out ("entrance").
Faces under the ground surface are labelled ``cave_wall``, the open ground
and the lips ``terrain``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from ..camera.placement import Obstacles
from ..core.axes import yaw_pitch_to_cam
from ..core.camera import Camera
from ..core.geometry import height_normal, vertex_normals
from ..core.mesh import Mesh
from ..core.scene import MaterialRef, Object, PointLight, Scene
from ..core.seeds import SeedTree
from ..core.shot import REFERENCE_SIZE, Shot
from ..generators.noise import fbm2
from ..generators.terrain.field import (
    GridParams,
    HeightCache,
    MeshParams,
    TerrainField,
)
from ..generators.terrain.landforms import HillsParams, smoothstep
from ..generators.terrain.sdf import (
    CaveParams,
    CaveSystem,
    Footprint,
    SphericalGridParams,
    keep_off_ground,
    mesh_sdf_spherical,
    shot_axes,
    submesh,
)
from .base import Built, Layout, SceneRecipe, SkyParams, register


class CaveCameraParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    hfov: float = Field(80.0, ge=10.0, le=150.0, description="horizontal field of view, degrees")
    pitch_min: float = Field(-8.0, ge=-60.0, le=60.0, description="lowest pitch, degrees")
    pitch_max: float = Field(6.0, ge=-60.0, le=60.0, description="highest pitch, degrees")
    eye_height: float = Field(2.2, ge=0.3, le=20.0, description="eye height above the chamber's nominal floor, m")
    proposals: int = Field(16, ge=1, le=1000, description="views scored (wall distance variety, no sky)")
    headlamp: float = Field(40.0, ge=0.0, le=10000.0, description="power of a lamp just above the camera, W (0 = daylight only)")
    view: Literal["chamber", "entrance"] = Field(
        "chamber", description="chamber: in the first chamber, no sky; entrance: in the entrance tunnel, looking out")


class CaveSceneParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    terrain: HillsParams = Field(default_factory=lambda: HillsParams(hills_height=25.0, far_mountains=0.0),
                                  description="the land above the cave")
    grid: GridParams = Field(default_factory=lambda: GridParams(size=600.0, resolution=128, erosion=False),
                             description="terrain grid (erosion off: the surface is barely seen)")
    cave: CaveParams = Field(default_factory=CaveParams, description="tunnels and chambers")
    mesh: SphericalGridParams = Field(default_factory=SphericalGridParams,
                                      description="spherical marching-cubes grid (r_max grows to hold the whole cave)")
    ground_mesh: MeshParams = Field(default_factory=lambda: MeshParams(pixels_per_triangle=4.0),
                                    description="heightfield ground to the horizon (seen only through the openings)")
    ground_eps: float = Field(0.03, ge=0.001, le=5.0, description="cave faces this far below the ground are kept, m")
    opening_eps: float = Field(0.01, ge=0.0, le=10.0,
                               description="the ground is cut where it lies this far inside the cave air, m")
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


def cut_openings(mesh: Mesh, level: np.ndarray, height) -> Mesh:
    """The heightfield without the part where ``level`` (per vertex) > 0: faces wholly inside are
    dropped, faces across the contour are clipped at it (new vertices on the crossed edges, shared
    by the two faces of each edge, at the ground height, attributes interpolated), so the hole's
    rim follows the opening instead of overhanging it by up to a triangle."""
    f = mesh.faces.astype(np.int64)
    out = level[f] > 0
    n_out = out.sum(axis=1)
    keep = f[n_out == 0]
    one, two = f[n_out == 1], f[n_out == 2]
    if not len(one) and not len(two):
        return submesh(mesh, n_out == 0)
    # rotate: the lone outside vertex last (one), the lone inside vertex first (two); winding kept
    k1 = np.argmax(out[n_out == 1], axis=1)
    one = np.take_along_axis(one, (np.arange(3)[None] + k1[:, None] + 1) % 3, axis=1)
    k2 = np.argmin(out[n_out == 2], axis=1)
    two = np.take_along_axis(two, (np.arange(3)[None] + k2[:, None]) % 3, axis=1)
    n = len(mesh.vertices)
    ends = np.concatenate([one[:, [1, 2]], one[:, [2, 0]], two[:, [0, 1]], two[:, [2, 0]]])
    lo, hi = ends.min(axis=1), ends.max(axis=1)
    keys, inv = np.unique(lo * n + hi, return_inverse=True)
    a, b = keys // n, keys % n
    t = (level[a] / (level[a] - level[b]))[:, None]  # where the level crosses zero along a -> b
    v = mesh.vertices.astype(np.float64)
    p = v[a] + t * (v[b] - v[a])
    p[:, 2] = height(p[:, 0], p[:, 1])
    ids = n + inv
    m1, m2 = len(one), len(two)
    p_12, p_20 = ids[:m1], ids[m1:2 * m1]
    q_01, q_20 = ids[2 * m1:2 * m1 + m2], ids[2 * m1 + m2:]
    faces = np.concatenate([keep,
                            np.stack([one[:, 0], one[:, 1], p_12], -1), np.stack([one[:, 0], p_12, p_20], -1),
                            np.stack([two[:, 0], q_01, q_20], -1)])
    attrs = {k: np.concatenate([x, x[a] + (t[:, 0] if x.ndim == 1 else t) * (x[b] - x[a])])
             for k, x in mesh.attributes.items()}
    full = Mesh(np.concatenate([v, p]), faces, attrs, mesh.smooth)
    used = np.zeros(len(full.vertices), dtype=bool)
    used[faces.ravel()] = True
    return submesh(full, np.ones(len(faces), dtype=bool)) if not used.all() else full


@dataclass
class CaveState:
    field: TerrainField
    cave: CaveSystem
    ground: HeightCache
    sdf: Callable
    timings: dict


class CaveFloor:
    """The ground a camera walks on inside the cave: the rock below a point, found by sphere
    tracing the SDF straight down from ``top`` (trajectories and rigs stand on it)."""

    def __init__(self, sdf: Callable, top: float, depth: float):
        self.sdf, self.top, self.depth = sdf, float(top), float(depth)

    def height(self, x, y):
        x, y = np.broadcast_arrays(np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64))
        o = np.stack([x.ravel(), y.ravel(), np.full(x.size, self.top)], -1)
        d = np.tile([0.0, 0.0, -1.0], (len(o), 1))
        t = sphere_trace(self.sdf, o, d, self.depth, steps=64)
        return np.where(np.isfinite(t), self.top - t, self.top - self.depth).reshape(x.shape)

    def normal(self, x, y, eps: float = 0.05):
        return height_normal(self.height, x, y, eps)


def layout(params: CaveSceneParams, seeds: SeedTree) -> Layout:
    timings = {}
    t0 = time.perf_counter()
    field = TerrainField(params.terrain, seeds.child("terrain"), params.grid)
    cave = CaveSystem(params.cave, seeds.child("cave"), field.height)
    centre, radius = (cave.chambers[0] if cave.chambers else (cave.path[0], params.cave.radius))
    # the ground under the SDF, bilinear on 0.5 m cells (within ~1 cm of the heightfield mesh)
    ground = HeightCache(field.height, centre, max(params.mesh.r_max, cave.reach(centre)) + 20.0, 0.5)

    def sdf(p):
        return cave.sdf(p, ground=ground)

    timings["sdf_setup_s"] = time.perf_counter() - t0
    state = CaveState(field, cave, ground, sdf, timings)
    floor = CaveFloor(sdf, centre[2] + 0.5 * radius, 4.0 * radius)
    return Layout(floor, Obstacles(np.zeros((0, 3)), np.zeros(0)), lambda rng: place_cave_camera(params, state, rng),
                  state=state)


def place_cave_camera(params: CaveSceneParams, state: CaveState, rng: np.random.Generator) -> tuple[Camera, dict]:
    """In the first chamber, looking along the tunnel that leaves it (or in the entrance tunnel
    looking out, ``view`` = "entrance"); views scored at the reference size."""
    cave, ground, sdf = state.cave, state.ground, state.sdf
    centre, radius = (cave.chambers[0] if cave.chambers else (cave.path[0], params.cave.radius))
    width, height = REFERENCE_SIZE
    c = params.camera
    out_dir = cave.path[1] - cave.path[0] if len(cave.path) > 1 else np.array([1.0, 0, 0])
    base_yaw = float(np.arctan2(out_dir[1], out_dir[0]))
    floor = centre[2] - radius
    entrance = c.view == "entrance" and cave.entrance is not None
    cams, clear = [], []
    for k in range(c.proposals):
        if entrance:  # on the tunnel's axis, a little below it, looking up the tunnel to the daylight
            e0, e1 = cave.entrance
            u = (e1 - e0) / np.linalg.norm(e1 - e0)
            eye = e0 + rng.uniform(0.2, 0.6) * (e1 - e0) - np.array([0.0, 0.0, 0.3 * params.cave.radius])
            yaw = float(np.arctan2(u[1], u[0])) + rng.uniform(-0.15, 0.15)
            pitch = float(np.arcsin(u[2])) * rng.uniform(0.1, 0.5)
        else:
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
    far = 2000.0 if entrance else params.mesh.r_max
    dist = sphere_trace(sdf, origins, dirs, far, steps=160 if entrance else 96).reshape(len(cams), -1)
    best, best_score, report = None, -np.inf, {}
    eyes = np.array([cm.position for cm in cams])
    roof = ground(eyes[:, 0], eyes[:, 1]) - eyes[:, 2]  # rock above the camera (entrance: still inside)
    for k, cam in enumerate(cams):
        if clear[k] < 0.8 or (entrance and roof[k] < 0.5 * params.cave.radius):
            continue
        sky = float(np.mean(~np.isfinite(dist[k])))
        fin = dist[k][np.isfinite(dist[k])]
        # chamber: no sky; entrance: some sky and land seen through the opening
        penalty = 5.0 * abs(sky - 0.25) if entrance else 5.0 * sky
        score = (float(np.std(np.log(fin))) if len(fin) > 1 else 0.0) + 0.2 * min(float(clear[k]), 3.0) - penalty
        if score > best_score:
            best, best_score = cam, score
            report = {"method": "proposal", "proposal": k, "score": score, "sky_fraction": sky,
                      "clearance_m": float(clear[k]), "ground_above_m": float(roof[k])}
    if best is None:  # no proposal had clearance: the chamber centre, level view
        eye = centre.copy()
        best = Camera.from_hfov(width, height, c.hfov, yaw_pitch_to_cam(eye, base_yaw, 0.0))
        report = {"method": "fallback: chamber centre", "clearance_m": float(sdf(eye[None])[0])}
    return best, report


def build(params: CaveSceneParams, layout: Layout, shot: Shot, seeds: SeedTree) -> Built:
    st: CaveState = layout.state
    field, cave, ground, sdf, timings = st.field, st.cave, st.ground, st.sdf, dict(st.timings)
    cam = shot.first
    t1 = time.perf_counter()
    # one spherical grid around the shot's mean eye, fine enough for every camera (sdf.shot_axes): the
    # walls lie at least the SDF's clearance there from it
    cams = shot.cameras()
    mean_eye = np.mean([c.position for c in cams], axis=0)
    reach = max(params.mesh.r_max, cave.reach(mean_eye))
    gp = params.mesh.model_copy(update={"r_max": reach})
    clear = float(sdf(mean_eye[None])[0])
    eye, axes = shot_axes(cams, gp, [(mean_eye, reach)], r_near=max(gp.r_min, 0.8 * clear))
    # the ground first: the heightfield, cut at the openings (no coarse ``near`` disc: the
    # openings lie right above the camera and the cut needs triangles smaller than a rim's curves)
    hf = field.mesh_for(shot.cameras(), params.ground_mesh, near=False)
    hv = hf.vertices.astype(np.float64)
    level = np.full(len(hv), -1.0)  # > 0: the ground point is in the cave's air by more than opening_eps
    near_cave = cave.bound(hv) < 0  # the SDF differs from the ground only near the tunnels
    if near_cave.any():
        level[near_cave] = sdf(hv[near_cave]) - params.opening_eps
    ground_mesh = cut_openings(hf, level, field.height)
    touched = (level[hf.faces] > 0).any(axis=1)
    rim = Footprint(hv[hf.faces[touched]][:, :, :2]) if touched.any() else None
    t_ground = time.perf_counter() - t1

    # the cave: near the tunnels and under every ground triangle the cut touched; kept where it is
    # below the ground or under such a triangle (the meshes overlap at the rims whatever their errors)
    t2 = time.perf_counter()

    def bound(p):
        b = cave.bound(p)
        return b if rim is None else np.minimum(b, rim.distance(p[:, 0], p[:, 1]))

    mc_stats = {}
    walls = mesh_sdf_spherical(sdf, eye, *axes, bound=bound, last=0.0, stats=mc_stats)
    walls = keep_off_ground(walls, ground, params.ground_eps, side=-1,
                            also=None if rim is None else rim.overlaps)
    timings["marching_cubes_s"] = time.perf_counter() - t2
    timings["ground_mesh_s"] = t_ground

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
    report = {"terrain": {"timings_s": {k: round(x, 3) for k, x in timings.items()},
                          "marching_cubes": mc_stats, "sdf_r_max_m": round(gp.r_max, 1),
                          "triangles": {o.name: o.n_triangles for o in scene.objects}}}
    return Built(scene, report)


register(SceneRecipe("cave", "cave: tunnels and chambers under hills, lit through a collapsed shaft; SDF + marching cubes",
                     CaveSceneParams, layout, build))
