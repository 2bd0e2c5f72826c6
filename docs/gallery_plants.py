"""Render the plant galleries in docs/: one image per generator family (a row of seeds).

    python docs/gallery_plants.py [--family trees] [--width 480] [--samples 16]

Each family is laid out in a row on a flat meadow, seen from the side, and
rendered with Cycles at a small size with few samples (2 cores).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from wildsynth.core import Instances, MaterialRef, Mesh, Object, Scene, Sun
from wildsynth.core.axes import look_at
from wildsynth.core.camera import Camera
from wildsynth.generators.plants.cacti import KINDS, CactusParams, cactus
from wildsynth.generators.plants.deadwood import LogParams, log, pine_cone, twig
from wildsynth.generators.plants.ferns import FernParams, fern
from wildsynth.generators.plants.flowers import FlowerParams, flower
from wildsynth.generators.plants.grass import GrassParams, tuft
from wildsynth.generators.plants.groundcover import bark_piece, leaf_litter, lichen_patch, moss_patch, needle_litter
from wildsynth.generators.plants.mushrooms import MushroomParams, mushroom
from wildsynth.generators.plants.trees import TreeParams, foliage_mesh, grow_tree
from wildsynth.generators.rocks import RockShape, make_rock
from wildsynth.io.png import write_png
from wildsynth.render.cycles import CyclesRenderer
from wildsynth.render.settings import RenderSettings


def ground(size: float = 200.0) -> Mesh:
    v = np.array([[-size, -size, 0], [size, -size, 0], [size, size, 0], [-size, size, 0]], dtype=np.float64)
    a = {"slope": np.zeros(4), "height": np.zeros(4), "patch": np.full(4, 0.5), "dirt": np.full(4, 0.3)}
    return Mesh(v, np.array([[0, 1, 2], [0, 2, 3]]), a)


def _one(scene: Scene, name: str, mesh: Mesh, x: float, mat: MaterialRef, sem: str, rot: float = 0.0) -> Object:
    m = np.eye(4)
    m[:3, :3] = [[np.cos(rot), -np.sin(rot), 0], [np.sin(rot), np.cos(rot), 0], [0, 0, 1]]
    m[0, 3] = x
    return scene.add(Object(name, Instances(mesh, m[None]), mat, semantic=sem, generator="gallery"))


def tree_row(scene: Scene, species: list[str], season: str = "summer", spacing: float = 11.0) -> float:
    xs = (np.arange(len(species)) - (len(species) - 1) / 2) * spacing
    for k, (sp, x) in enumerate(zip(species, xs)):
        t = grow_tree(TreeParams(species=sp, season=season, height=10.0 if sp != "bush" else 2.5),
                      np.random.default_rng(k + 1))
        kind = {"birch": "birch", "conifer": "conifer", "palm": "palm", "dead": "dead"}.get(sp, "broadleaf")
        sem = "bush" if sp == "bush" else "tree"
        wood = _one(scene, f"tree{k}", t.wood, x, MaterialRef("bark", k, (("kind", kind),)), sem)
        fol = foliage_mesh(t)
        if fol is not None:
            scene.add(Object(f"tree{k}.leaves", Instances(fol, wood.geometry.transforms, wood.geometry.ids.copy()),
                             MaterialRef("leaf", k, (("kind", t.leaf_kind), ("season", season))), semantic=sem,
                             generator="gallery", id_groups="given"))
    return float(xs[-1] - xs[0] + spacing)


def small_row(scene: Scene, make, n: int, spacing: float, mat: MaterialRef, sem: str) -> float:
    xs = (np.arange(n) - (n - 1) / 2) * spacing
    for k, x in enumerate(xs):
        _one(scene, f"obj{k}", make(k, np.random.default_rng(k + 11)), x, mat, sem, rot=0.4 * k)
    return float(n * spacing)


def rock_row(scene: Scene, spacing: float = 2.5) -> float:
    """Back row: four boulders; front row: three cliff chunks and a patch of pebbles (12-28 cm)."""
    scene.sun = Sun.from_angles(30.0, 15.0, strength=4.0)  # raking side light: rock shape reads by its shading
    back = (np.arange(4) - 1.5) * spacing
    front = back[:3] + 0.5 * spacing

    def place(name: str, mesh: Mesh, x: float, y: float, k: int) -> None:
        m = np.eye(4)
        a = 0.7 * k + 0.3
        m[:3, :3] = [[np.cos(a), -np.sin(a), 0], [np.sin(a), np.cos(a), 0], [0, 0, 1]]
        m[:3, 3] = [x, y, -float(mesh.vertices[:, 2].min()) - 0.06]
        scene.add(Object(name, Instances(mesh, m[None]), MaterialRef("rock", k), semantic="rock", generator="gallery"))

    for k, x in enumerate(back):
        place(f"boulder{k}", make_rock(RockShape(kind="boulder"), np.random.default_rng(k + 21)), x, 1.2, k)
    for k, x in enumerate(front):
        mesh = make_rock(RockShape(kind="chunk", size=0.8), np.random.default_rng(k + 31))
        place(f"chunk{k}", mesh, x, -1.4, k + 4)
    rng = np.random.default_rng(5)
    for k in range(3):
        mesh = make_rock(RockShape(kind="pebble"), np.random.default_rng(40 + k))
        n = 6
        size = rng.uniform(0.12, 0.28, n)
        yaw = rng.uniform(0, 2 * np.pi, n)
        m = np.zeros((n, 4, 4))
        m[:, 0, 0], m[:, 0, 1], m[:, 1, 0], m[:, 1, 1] = np.cos(yaw), -np.sin(yaw), np.sin(yaw), np.cos(yaw)
        m[:, 2, 2], m[:, 3, 3] = 1.0, 1.0
        m[:, :3, :3] *= size[:, None, None]
        m[:, 0, 3] = 0.75 * back[3] + rng.uniform(-0.5, 0.5, n)
        m[:, 1, 3] = -2.6 + rng.uniform(-0.5, 0.5, n)
        m[:, 2, 3] = -size * float(mesh.vertices[:, 2].min()) * 0.8
        scene.add(Object(f"pebbles{k}", Instances(mesh, m), MaterialRef("rock", 10 + k), semantic="rock",
                         generator="gallery"))
    return float(back[-1] - back[0] + spacing)


VCOL = MaterialRef("plant_vcol", 0, (("translucency", 0.2),))
FAMILIES = {
    "trees": lambda s: tree_row(s, ["broadleaf", "oak", "maple", "birch"]),
    "trees_other": lambda s: tree_row(s, ["conifer", "palm", "dead", "sapling"], spacing=9.0),
    "trees_autumn": lambda s: tree_row(s, ["broadleaf", "oak", "maple", "birch"], "autumn"),
    "trees_winter": lambda s: tree_row(s, ["broadleaf", "oak", "birch", "conifer"], "winter"),
    "bushes": lambda s: tree_row(s, ["bush"] * 4, spacing=4.0),
    "grass": lambda s: small_row(s, lambda k, r: tuft(GrassParams(blades=30 + 15 * k, wind=0.2 * k, dead=0.1 * k,
                                                              seed_heads=0.05 * k), r), 5, 0.7,
                                 MaterialRef("grass", 0), "grass"),
    "groundcover": lambda s: small_row(s, lambda k, r: [leaf_litter(r), needle_litter(r), bark_piece(r), moss_patch(r),
                                                        lichen_patch(r)][k], 5, 0.6,
                                       MaterialRef("plant_vcol", 0, (("translucency", 0.05), ("roughness", 0.8))),
                                       "litter"),
    "flowers": lambda s: small_row(s, lambda k, r: flower(FlowerParams(color=k % 7, cup=0.2 * k), r), 6, 0.18,
                                   MaterialRef("plant_vcol", 0, (("translucency", 0.3),)), "flower"),
    "ferns": lambda s: small_row(s, lambda k, r: fern(FernParams(fronds=6 + 2 * k), r), 4, 1.4, VCOL, "fern"),
    "mushrooms": lambda s: small_row(s, lambda k, r: mushroom(MushroomParams(cluster=1 + k, dome=0.3 + 0.2 * k), r),
                                     5, 0.2, MaterialRef("plant_vcol", 0, (("translucency", 0.0), ("roughness", 0.5))),
                                     "mushroom"),
    "cacti": lambda s: small_row(s, lambda k, r: cactus(CactusParams(kind=KINDS[k % 4], height=3.0), r), 6, 2.2,
                                 MaterialRef("plant_vcol", 0, (("translucency", 0.0), ("roughness", 0.45))), "cactus"),
    "deadwood": lambda s: small_row(s, lambda k, r: [log(LogParams(length=2.0), r), twig(0.5, r), pine_cone(r)][k % 3],
                                    6, 1.2, MaterialRef("bark", 0, (("kind", "dead"),)), "log"),
    "rocks": rock_row,
}


LOOK_DOWN = {"groundcover": 40.0}


def render_family(name: str, width: int, samples: int) -> np.ndarray:
    scene = Scene()
    scene.sun = Sun.from_angles(35.0, -70.0, strength=4.0)
    scene.add(Object("ground", ground(), MaterialRef("meadow_ground", 0, (("snowline", 1e4),)), semantic="terrain",
                     generator="gallery"))
    span = FAMILIES[name](scene)
    hi = np.max([(o.geometry.realise() if len(o.geometry) < 5 else o.geometry.mesh).vertices.max(0)
                 for o in scene.objects if o.is_instanced and not isinstance(o.id_groups, str)], axis=0)
    top = float(hi[2])
    h = int(width * 0.4)
    hfov = 50.0
    dist = 0.5 * span / np.tan(np.radians(hfov / 2)) * 1.05
    target = np.array([0.0, 0.0, top * 0.42])
    eye = np.array([0.0, -dist, top * 0.45 + 0.05 * dist])
    if name in LOOK_DOWN:  # flat things: seen from above at that many degrees
        e = np.radians(LOOK_DOWN[name])
        eye = target + 0.8 * dist * np.array([0.0, -np.cos(e), np.sin(e)])
    cam = Camera.from_hfov(width, h, hfov, look_at(eye, target))
    with CyclesRenderer(scene, RenderSettings(width=width, height=h, samples=samples, adaptive_min_samples=4)) as r:
        return r.render_rgb(cam).display


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--family", default="all")
    ap.add_argument("--width", type=int, default=480)
    ap.add_argument("--samples", type=int, default=16)
    ap.add_argument("--out", default="docs")
    a = ap.parse_args()
    names = list(FAMILIES) if a.family == "all" else a.family.split(",")
    for n in names:
        t = time.perf_counter()
        img = render_family(n, a.width, a.samples)
        write_png(f"{a.out}/plants_{n}.png", img)
        print(f"{n}: {time.perf_counter() - t:.1f} s")


if __name__ == "__main__":
    main()
