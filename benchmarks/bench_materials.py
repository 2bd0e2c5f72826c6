"""Material system figures; prints JSON.

    python benchmarks/bench_materials.py [--size 256] [--samples 16]

- compile_all_s: every registered recipe's graph built and turned into Blender
  nodes, then one tiny Cycles render of a scene holding all of them, which is
  where Cycles compiles the shaders (what a scene pays before its first sample);
- gallery_s: `wildsynth materials --gallery` at --size px per tile;
- nodes / textures: graph size per recipe (mean and max): shading cost grows with the
  texture nodes (noise, Voronoi, wave) a sample evaluates.

The docs gallery (1 m patches) is docs/make_materials_gallery.py.
"""

from __future__ import annotations

import argparse
import json
import time


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, default=256)
    ap.add_argument("--samples", type=int, default=16)
    args = ap.parse_args()
    import bpy

    from wildsynth.core.mesh import Mesh
    from wildsynth.core.scene import MaterialRef
    from wildsynth.materials import RECIPES, build
    from wildsynth.render.cycles import _quiet
    from wildsynth.render.gallery import render_gallery
    from wildsynth.render.translate import compile_graph, mesh_to_blender, reset

    bscene = reset()
    bscene.render.engine = "CYCLES"
    bscene.cycles.samples = 1
    bscene.render.resolution_x = bscene.render.resolution_y = 16
    cam = bpy.data.objects.new("cam", bpy.data.cameras.new("cam"))
    cam.location = (0.0, 0.0, 30.0)
    bscene.collection.objects.link(cam)
    bscene.camera = cam
    t0 = time.perf_counter()
    for k, name in enumerate(sorted(RECIPES)):
        quad = Mesh([[k, 0, 0], [k + 1, 0, 0], [k + 1, 1, 0]], [[0, 1, 2]])
        ob = bpy.data.objects.new(name, mesh_to_blender(name, quad))
        ob.data.materials.append(compile_graph(build(MaterialRef(name, seed=1))))
        bscene.collection.objects.link(ob)
    with _quiet():
        bpy.ops.render.render()
    compile_s = time.perf_counter() - t0
    graphs = [build(MaterialRef(n, seed=1)) for n in sorted(RECIPES)]
    nodes = [len(g.nodes) for g in graphs]
    textures = [sum(n.type.startswith("ShaderNodeTex") and n.type != "ShaderNodeTexCoord" for n in g.nodes)
                for g in graphs]
    t0 = time.perf_counter()
    tiles = render_gallery(size=args.size, samples=args.samples)
    gallery_s = time.perf_counter() - t0
    print(json.dumps({"benchmark": "materials", "materials": len(RECIPES), "compile_all_s": round(compile_s, 3),
                      "gallery_s": round(gallery_s, 1), "gallery_tile_px": args.size, "samples": args.samples,
                      "tiles": len(tiles),
                      "nodes_mean": round(sum(nodes) / len(nodes), 1), "nodes_max": max(nodes),
                      "textures_mean": round(sum(textures) / len(textures), 2), "textures_max": max(textures)},
                     indent=2))


if __name__ == "__main__":
    main()
