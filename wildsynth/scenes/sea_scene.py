"""Pieces the underwater scenes share (``coral_reef``, ``kelp_forest``, ``under_water``); registers no scene.

- ``grow_life`` / ``place_life``: the sea-life registry's kinds grown a few times each and placed on the
  bed as ``Instances`` (a ``coral_reef.ReefPlan`` of kinds, positions, scales and prototypes). With a
  ``BedSwaySetup``, the plants that sway (``BedSwayParams.kinds``: seagrass and seaweed by default) and
  stand in or near some camera's view (``in_view``) are each a deforming mesh of their own, posed by
  one ``generators/sea_motion.BedSway`` for the whole bed; the rest of their kind stays an ``Instances``
  object, still. Ids are those the all-``Instances`` placement gave (one per placement, in the same
  order): a moving plant takes its placement's id, the still ones are reserved in between. There is
  no distance cut-off: at the default 1280x720 the tips move only 0.002-0.06 px per frame at 24 fps,
  but over a swell (8 s) they sweep up to 3.4 px (kelp_forest, seed 0) and 8.1 px (coral_reef, seed 0)
  20-25 m away, well over the 0.3 px that would go unseen; only plants out of every view stay still.
- ``add_bed``: the bed mesh split into sand and rock (painted caustics on both).
- ``add_water``: the water surface (a flat sheet, or a wavy sheet around the cameras that moves with
  exact flow, ``generators/sea_motion.py``, inside a flat one out to the horizon), class
  ``water_surface``, and the murk volume below it, out of the ground truth.
- ``add_snow``: marine snow (``generators/sea_motion.marine_snow``) and its motion.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..core.mesh import Instances, Mesh
from ..core.motion import Motion
from ..core.scene import MaterialRef, Object, Scene
from ..core.seeds import SeedTree
from ..core.shot import Shot
from ..generators.scatter import ground_transforms
from ..generators.sea_motion import (
    FLAT_FROM,
    BedSway,
    BedSwayParams,
    CurrentParams,
    MarineSnowParams,
    SurfaceWaves,
    WaveParams,
    marine_snow,
    marine_snow_motion,
    swell_phase,
    wave_sheet,
)
from ..generators.terrain.field import split_faces
from ..generators.terrain.lod import cones_from_cameras
from ..generators.underwater import build as build_sea_life
from ..generators.underwater import get_kind
from ..generators.water import lake_mesh
from ..generators.weather import fog_box


def add_bed(scene: Scene, mesh: Mesh, mats: SeedTree, caustic: tuple, generator: str, params: dict) -> None:
    """The bed mesh split by face into ``sand`` (``reef_sand``) and ``rock`` (``reef_rock``) by its ``reef``
    attribute (an id is skipped for a part that is absent, so later ids never shift)."""
    cls = (mesh.attributes["reef"][mesh.faces].mean(axis=1) > 0.5).astype(np.int64)
    parts = split_faces(mesh, cls)
    for k, (label, recipe) in enumerate((("sand", "reef_sand"), ("rock", "reef_rock"))):
        if k not in parts:
            scene.skip_id()
            continue
        scene.add(Object(f"seabed_{label}", parts[k], MaterialRef(recipe, mats.child(recipe).int(), caustic),
                         semantic=label, generator=generator, params=params))


def add_floor(scene: Scene, params, floor, rocks, cams, mats: SeedTree, level: float, generator: str) -> None:
    """The bed (``add_bed``) and the boulders (``reef_rock``, painted caustics) of a scene whose ``params``
    has ``caustics``, ``mesh``, ``floor`` and ``rocks``."""
    caustic = caustic_params(params.caustics, level)
    add_bed(scene, floor.mesh_for(cams, params.mesh), mats, caustic, generator, {"floor": params.floor.model_dump()})
    rock = MaterialRef("reef_rock", mats.child("boulders").int(), caustic)
    for k, inst in enumerate(rocks):
        scene.add(Object(f"boulders{k}", inst, rock, semantic="rock", generator="rocks", params=params.rocks.model_dump()))


def caustic_params(cp, level: float) -> tuple:
    """The material parameters of painted caustics (``materials/reef.py``) from a ``CausticParams``."""
    return (("caustics", cp.strength), ("caustic_scale", cp.scale), ("caustic_depth", cp.depth), ("water_level", level))


def grow_life(kinds: list[str], p, seeds: SeedTree) -> dict[tuple[str, int], tuple[Mesh, str]]:
    """(kind, prototype) -> (mesh, class) for every kind of ``kinds`` (``p``: a ``ReefLifeParams``)."""
    out = {}
    for name in sorted(set(kinds)):
        tiny = get_kind(name).tiny if p.tiny else {}
        for j in range(p.prototypes_by_kind.get(name, p.prototypes)):
            out[(name, j)] = build_sea_life(name, seeds.child(name).child(str(j)), **tiny)
    return out


@dataclass
class BedSwaySetup:
    """What ``place_life`` needs to make the bed's plants sway: which kinds and how much (``params``), the
    scene's current and its heading (radians), the shot (whose cameras decide which plants move), the
    generator drawing the plants' phases and the height nothing may rise above (m)."""

    params: BedSwayParams
    current: CurrentParams
    heading: float
    shot: Shot
    rng: np.random.Generator
    ceiling: float


def in_view(points: np.ndarray, shot: Shot, margin_deg: float, near: float = 8.0, far: float = 60.0) -> np.ndarray:
    """(N,) bool: within ``near`` m of some camera of the shot, or within ``far`` m and ``margin_deg``
    degrees beyond its horizontal field of view (reference cameras: the same at every output size)."""
    keep = np.zeros(len(points), bool)
    for cam in shot.cameras():
        d = points[:, :2] - cam.position[:2]
        dist = np.hypot(d[:, 0], d[:, 1])
        fwd = cam.cam_to_world[:2, 2]
        ang = np.arctan2(d[:, 1], d[:, 0]) - np.arctan2(fwd[1], fwd[0])
        ang = np.abs((ang + np.pi) % (2 * np.pi) - np.pi)
        keep |= (dist < near) | ((dist < far) & (ang < np.radians(0.5 * np.degrees(cam.hfov) + margin_deg)))
    return keep


def place_life(scene: Scene, plan, grown: dict, floor, trng: np.random.Generator, mats: SeedTree,
               prefix: str = "reef", sway: BedSwaySetup | None = None) -> tuple[dict[str, int], BedSway | None]:
    """Each grown prototype as one ``Instances`` object at its plan points (on the bed, leaning 60 % to
    its normal); with ``sway``, the swaying kinds' plants in view as deforming meshes (module doc).
    Returns the count placed per kind and the plants' ``BedSway`` (None when none moves)."""
    kinds = np.array(plan.kinds, dtype=object)
    counts: dict[str, int] = {}
    moving: dict[str, list] = {"ids": [], "rest": [], "faces": [], "base": [], "height": [], "phase": [], "flex": []}
    objs: list[tuple[Object, Mesh]] = []
    for (name, j), (m, semantic) in sorted(grown.items()):
        sel = np.flatnonzero((kinds == name) & (plan.prototype == j)) if len(kinds) else np.zeros(0, int)
        tr = ground_transforms(plan.xy[sel], trng, floor.height, floor.normal, plan.scale[sel], align=0.6,
                               tilt=0.05, sink=0.03 * plan.scale[sel])
        if not len(sel):
            scene.skip_id()
            continue
        kind = get_kind(name)
        material = MaterialRef(kind.material, mats.child(name).int())
        counts[name] = counts.get(name, 0) + len(sel)
        flex = sway.params.kinds.get(name, 0.0) if sway is not None else 0.0
        if flex <= 0.0:
            scene.add(Object(f"{prefix}.{name}.{j}", Instances(m, tr), material, semantic=semantic,
                             generator=f"underwater.{name}", params={"kind": name, "prototype": j}))
            continue
        pos = tr[:, :3, 3]
        phase = swell_phase(pos, sway.current, sway.heading, sway.rng)  # drawn for every placement
        near = in_view(pos, sway.shot, sway.params.view_margin)
        still_ids = []
        rest_v = np.asarray(m.vertices, dtype=np.float64)
        for k in range(len(sel)):
            if not near[k]:
                still_ids.append(int(scene.reserve_ids(1)[0]))
                continue
            v = rest_v @ tr[k, :3, :3].T + tr[k, :3, 3]
            o = scene.add(Object(f"{prefix}.{name}.{j}.{k:05d}", Mesh(v, m.faces, m.attributes, m.smooth), material,
                                 semantic=semantic, generator=f"underwater.{name}",
                                 params={"kind": name, "prototype": j, "placement": k, "sway": flex}))
            objs.append((o, m))
            for key, val in (("ids", o.instance_id), ("rest", v), ("faces", m.faces), ("base", pos[k]),
                             ("height", max(float(v[:, 2].max() - pos[k, 2]), 1e-3)), ("phase", phase[k]),
                             ("flex", flex)):
                moving[key].append(val)
        if still_ids:
            scene.add(Object(f"{prefix}.{name}.{j}", Instances(m, tr[~near]), material, semantic=semantic,
                             generator=f"underwater.{name}", params={"kind": name, "prototype": j}),
                      ids=np.array(still_ids, dtype=np.uint32))
    if not objs:
        return counts, None
    motion = BedSway(moving["ids"], moving["rest"], moving["faces"], moving["base"], moving["height"],
                     moving["phase"], moving["flex"], sway.current, sway.heading, sway.ceiling, sway.params.samples)
    posed = motion.vertices(float(sway.shot.times[0]))
    for (o, m), v in zip(objs, posed):
        o.geometry = Mesh(v, m.faces, m.attributes, m.smooth)
    return counts, motion


# Shadow rays pass the surface anyway (its material is clear to them) and a diffuse ray from the bed
# would mostly refract out to the sky: skipping both saved 9 % of a kelp forest's RGB time at 320x180
# (the bed's ambient light from outside Snell's window is then the sky's, not the mirrored bed's).
SURFACE_UNSEEN_BY = ("shadow", "diffuse")


def add_water(scene: Scene, shot: Shot, level: float, mats: SeedTree, *, surface: bool, murk, extent: float,
              waves: WaveParams | None = None, seeds: SeedTree | None = None, shafts: float = 0.0) -> Motion | None:
    """The surface at ``level`` (``reef_surface``) and the murk below it (``murk``: a ``MurkParams``).

    With ``waves`` (height > 0) the surface within ``waves.radius`` of the cameras' centre is a wavy
    deforming sheet (its ``SurfaceWaves`` motion is returned) and a flat sheet covers the rest; otherwise
    one flat sheet. The murk is a volume only: never in the ground truth. ``shafts`` > 0 makes it
    ``murk_shafts`` (``materials/water_below.py``): streaks along the refracted sunlight, that much denser."""
    cams = shot.cameras()
    ref = shot.reference()
    motion = None
    if surface:
        cones = cones_from_cameras(cams, [0.0] * len(cams))
        sheet = lake_mesh(cones, level, extent=extent, pixels_per_triangle=8.0)
        material = MaterialRef("reef_surface", mats.child("surface").int())
        if waves is not None and waves.height > 0:
            pos = np.array([c.position[:2] for c in cams])
            centre = 0.5 * (pos.min(0) + pos.max(0))
            rest, amp, k_vec, omega, phase, fade = wave_sheet(centre, waves, level, seeds.child("waves").rng())
            # the flat sheet beyond: faces reaching into the waves' wavy part dropped, and 1 mm lower, so where
            # it overlaps the wavy sheet's flat rim it is hit first from below (no coplanar tie in ids)
            reach = np.abs(sheet.vertices[sheet.faces][..., :2] - centre).max(-1).min(1)
            far = split_faces(sheet, (reach >= FLAT_FROM * waves.radius).astype(np.int64)).get(1)
            if far is not None:
                far.vertices[:, 2] = level - 0.001
            obj = scene.add(Object("water_surface_waves", rest, material, semantic="water_surface", unseen_by=SURFACE_UNSEEN_BY,
                                   generator="water.sea_surface", params={"level": level, **waves.model_dump()}))
            motion = SurfaceWaves(obj.instance_id, rest, level, amp, k_vec, omega, phase, fade)
            obj.geometry = Mesh(motion.vertices(float(shot.times[0]))[0], rest.faces)
            if far is not None:
                scene.add(Object("water_surface", far, material, semantic="water_surface", unseen_by=SURFACE_UNSEEN_BY,
                                 generator="water.reef_surface", params={"level": level}))
        else:
            scene.add(Object("water_surface", sheet, material, semantic="water_surface", unseen_by=SURFACE_UNSEEN_BY,
                             generator="water.reef_surface", params={"level": level}))
    if murk.density > 0:  # a volume only, under the surface: never in the ground truth
        top = level - 0.02 - float(ref.position[2])
        if waves is not None and surface:
            top -= waves.height / 2  # under the troughs
        recipe, extra = "murk", ()
        if shafts > 0 and scene.sun is not None:
            recipe = "murk_shafts"
            extra = (("shafts", float(shafts)), ("sun", refracted_sun(scene.sun.direction)), ("water_level", level))
        scene.add(Object("murk", fog_box(ref, murk.extent, top),
                         MaterialRef(recipe, mats.child("murk").int(), (("density", murk.density),) + extra),
                         semantic="sky", generator="weather.murk", params=murk.model_dump(), in_ground_truth=False))
    return motion


def refracted_sun(direction, ior: float = 1.333) -> tuple[float, float, float]:
    """The direction towards the sun as seen under a flat surface (Snell: sin of the zenith angle / ``ior``)."""
    d = np.asarray(direction, dtype=np.float64)
    horiz = np.hypot(d[0], d[1])
    s = horiz / max(np.linalg.norm(d), 1e-12) / ior
    c = np.sqrt(1.0 - s * s)
    h = d[:2] / horiz if horiz > 1e-12 else np.zeros(2)
    return (round(float(h[0] * s), 6), round(float(h[1] * s), 6), round(float(c), 6))


def add_snow(scene: Scene, params: MarineSnowParams, shot: Shot, heading: float, ceiling: float,
             seeds: SeedTree) -> Motion | None:
    """Marine snow in the middle camera's view (class ``weather_particle``, recipe ``snowflake``: pale,
    a little translucent) and its ``Fall`` motion; None when there is none."""
    if params.density <= 0:
        return None
    mid = shot.reference(shot.rigs[len(shot.rigs) // 2].main)
    got = marine_snow(params, mid, heading, ceiling, shot.duration(), seeds.rng())
    if got is None:
        return None
    inst, fall = got
    obj = scene.add(Object("marine_snow", inst, MaterialRef("snowflake", seeds.child("material").int()),
                           semantic="weather_particle", generator="sea.marine_snow", params=params.model_dump()))
    return marine_snow_motion(obj.ids, fall)
