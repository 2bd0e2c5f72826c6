"""Made the fixtures vegetation_seed0.json and landforms_seed0.json from git d880b1a (before
the plant-family and landform registries and the multi-camera vegetation).

It runs against that commit's code only (the old ``build(params, seeds, width, height)``)::

    git archive d880b1a | tar -x -C /tmp/head
    PYTHONPATH=/tmp/head python tests/generators/data/dump_head.py tests/generators/data

For forest, plains and desert at seed 0 and 64x48 it records every vegetation object
(name, class, instances, sha1 of the transforms, mesh and ids) of a vegetation-only replay
on the scene's own field and camera, checked equal to the vegetation part of the full
scene, with the inputs the replay needs; and the heights of every landform on a grid.
"""

import hashlib
import json
import sys
import time

import numpy as np

from wildsynth import scenes
from wildsynth.core.camera import Camera
from wildsynth.core.scene import Scene
from wildsynth.core.seeds import SeedTree
from wildsynth.generators.terrain import Heightfield
from wildsynth.generators.terrain import landforms as lf
from wildsynth.generators.terrain.field import TerrainField
from wildsynth.scenes import forest as scene_forest
from wildsynth.scenes import landscapes
from wildsynth.scenes import plains as scene_plains
from wildsynth.scenes import vegetation as V


def sha(a):
    return hashlib.sha1(np.ascontiguousarray(a).tobytes()).hexdigest()


def objects(scene, start=0, id_base=0):
    rows = []
    for o in scene.objects[start:]:
        if not o.is_instanced:
            rows.append({"name": o.name, "semantic": o.semantic, "n": 0})
            continue
        g = o.geometry
        ids = g.ids.astype(np.int64) - id_base
        rows.append({"name": o.name, "semantic": o.semantic, "generator": o.generator, "n": len(g),
                     "transforms_dtype": str(g.transforms.dtype), "transforms_sha1": sha(g.transforms),
                     "mesh_sha1": sha(g.mesh.vertices), "ids_sha1": sha(ids.astype(np.uint32)),
                     "ids_min": int(ids.min()), "ids_max": int(ids.max()), "n_unique_ids": int(len(np.unique(ids))),
                     "id_groups": "given" if isinstance(o.id_groups, str) else
                     (None if o.id_groups is None else "groups")})
    return rows


captured = {}
add_vegetation = landscapes.add_vegetation
vegetated_heightfield_scene = V.vegetated_heightfield_scene


def spy_add(scene, veg, field, seeds, cam, centre=(0.0, 0.0), clear_ahead=0.0):
    captured.update(veg=veg.model_dump(mode="json"), centre=[float(c) for c in centre], clear_ahead=float(clear_ahead),
                    camera=cam.to_dict(), start=len(scene.objects), id_base=scene.n_ids)
    return add_vegetation(scene, veg, field, seeds, cam, centre=centre, clear_ahead=clear_ahead)


def spy_heightfield(params, vegetation, seeds, width, height):
    captured.update(veg=vegetation.model_dump(mode="json"))
    return vegetated_heightfield_scene(params, vegetation, seeds, width, height)


def main(out: str) -> None:
    landscapes.add_vegetation = spy_add
    scene_forest.vegetated_heightfield_scene = scene_plains.vegetated_heightfield_scene = spy_heightfield
    fix = {"source": "git d880b1a (before the ecology refactor), tests/generators/data/dump_head.py",
           "size": [64, 48], "seed": 0, "scenes": {}}
    for name in ("forest", "plains", "desert"):
        t0 = time.perf_counter()
        r = scenes.get(name)
        params = r.params()
        scene, rig, _ = r.build(params, SeedTree(0).child("scene"), 64, 48)
        cam = rig.main
        seeds = SeedTree(0).child("scene")
        replay = Scene()
        if name in ("forest", "plains"):
            entry = {"kind": "heightfield", "terrain": params.terrain.model_dump(mode="json"), "veg": captured["veg"],
                     "camera": cam.to_dict()}
            field = Heightfield(params.terrain, seeds.child("terrain"))
            veg = V.Vegetation(V.VegetationParams.model_validate(entry["veg"]), field.height, field.normal,
                               seeds.child("vegetation"))
            veg.plan()
            veg.build(replay, Camera.from_dict(entry["camera"]))
            start, id_base = 1, 1  # after the terrain
        else:
            entry = {"kind": "terrain_field", **{k: getattr(params, k).model_dump(mode="json") for k in
                                                 ("terrain", "grid", "erosion", "cover", "lakes", "river")},
                     **{k: captured[k] for k in ("veg", "centre", "clear_ahead", "camera")}}
            field = TerrainField(params.terrain, seeds.child("terrain"), params.grid, params.erosion, params.cover,
                                 params.lakes, params.river)
            V.add_vegetation(replay, V.VegetationParams.model_validate(entry["veg"]), field, seeds.child("vegetation"),
                             Camera.from_dict(entry["camera"]), centre=tuple(entry["centre"]),
                             clear_ahead=entry["clear_ahead"])
            start, id_base = captured["start"], captured["id_base"]
        rows = objects(replay)
        assert objects(scene, start, id_base)[:len(rows)] == rows, name
        entry["objects"] = rows
        entry["full_scene_objects"] = objects(scene)
        fix["scenes"][name] = entry
        print(name, len(rows), "objects", sum(o["n"] for o in rows), "instances", f"{time.perf_counter() - t0:.1f} s")

    ax = np.linspace(-3000.0, 3000.0, 41)
    X, Y = np.meshgrid(ax, ax)
    lfix = {"source": "git d880b1a (before the landform registry), tests/generators/data/dump_head.py",
            "grid": [-3000.0, 3000.0, 41], "seed": 0, "landforms": {}}
    for P in (lf.MountainParams, lf.PlainsParams, lf.DuneParams, lf.CanyonParams, lf.CliffParams, lf.CoastParams,
              lf.RiverParams, lf.ArcticParams, lf.LakeParams):
        land = lf.Landform(P(), SeedTree(0).child("landform"))
        h = land.height(X, Y)
        vh = land.view_hint()
        w = land.water
        lfix["landforms"][P().kind] = {
            "params": P.__name__, "heights_sha1": sha(h), "sample": [float(v) for v in h.ravel()[::97]],
            "erodible": land.erodible, "water": [w.sea_level, w.lake_level, w.valley is not None],
            "view_hint": [float(vh.eye[0]), float(vh.eye[1]), float(vh.yaw), float(vh.yaw_spread)]}
    with open(f"{out}/vegetation_seed0.json", "w") as f:
        json.dump(fix, f, separators=(",", ":"))
    with open(f"{out}/landforms_seed0.json", "w") as f:
        json.dump(lfix, f, separators=(",", ":"))


if __name__ == "__main__":
    main(sys.argv[1])
