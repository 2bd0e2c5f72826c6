"""Render docs/underwater/sea_life.jpg: every registered sea-life kind, built from seed 0 with its material.

    nice python docs/make_sea_life_gallery.py [--tile 160] [--samples 8] [--only NAME ...] [--table]

Each kind is built with its default (seed-drawn) parameters, lies on a sand patch and is framed
from 35 degrees above, in a 50 degree sun; one small Cycles render per tile (denoised). The tiles
are labelled with the kind and its triangle count. ``--table`` prints the docs table instead
(CPU seconds of the build, after a warm-up build that compiles numba kernels, and triangles).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

OUT = Path(__file__).parent / "underwater" / "sea_life.jpg"


def build_all(names: list[str]):
    from wildsynth.core.seeds import SeedTree
    from wildsynth.generators.underwater import build, get_kind

    rows = []
    for name in names:
        kind = get_kind(name)
        build(name, SeedTree(1), **kind.tiny)  # warm-up: numba compiles once per process
        t0 = time.process_time()
        mesh, _ = build(name, SeedTree(0))
        rows.append((kind, mesh, time.process_time() - t0))
    return rows


def table(rows) -> str:
    out = ["| kind | class | family | process | build CPU s | triangles |", "|---|---|---|---|---|---|"]
    for kind, mesh, cpu in rows:
        out.append(f"| `{kind.name}` | {kind.semantic} | {kind.family} | {kind.process} | {cpu:.2f} | "
                   f"{mesh.n_triangles:,} |")
    return "\n".join(out)


def ground(radius: float):
    from wildsynth.core.mesh import Mesh

    r = radius
    v = np.array([[-r, -r, 0.0], [r, -r, 0.0], [r, r, 0.0], [-r, r, 0.0]])
    return Mesh(v, np.array([[0, 1, 2], [0, 2, 3]]), {"slope": np.zeros(4), "height": np.zeros(4)})


def render(rows, tile: int, samples: int) -> list[tuple[str, np.ndarray]]:
    import bpy

    from wildsynth.core.axes import look_at
    from wildsynth.core.camera import Camera
    from wildsynth.core.scene import MaterialRef, Scene, Sun
    from wildsynth.io.png import read_png
    from wildsynth.materials import build as build_material
    from wildsynth.render.cycles import _quiet
    from wildsynth.render.translate import compile_graph, mesh_to_blender, reset, set_camera, set_sun_and_sky

    with _quiet():
        bscene = reset()
    bscene.render.engine = "CYCLES"
    cy = bscene.cycles
    cy.device, cy.samples, cy.use_denoising, cy.seed = "CPU", samples, True, 0
    cy.max_bounces, cy.diffuse_bounces, cy.glossy_bounces, cy.transmission_bounces = 4, 2, 2, 4
    bscene.view_settings.view_transform = "AgX"
    bscene.view_settings.exposure = -0.6
    scene = Scene()
    scene.sun = Sun.from_angles(50.0, -40.0, strength=4.0)
    set_sun_and_sky(bscene, scene)
    sand = compile_graph(build_material(MaterialRef("sand", seed=0)))
    fmt = bscene.render.image_settings
    fmt.file_format, fmt.color_mode, fmt.color_depth = "PNG", "RGB", "8"
    path = f"{bpy.app.tempdir}/ws_sea_tile.png"
    tiles = []
    for k, (kind, mesh, _) in enumerate(rows):
        t0 = time.perf_counter()
        lo, hi = mesh.bounds()
        centre = 0.5 * (lo + hi)
        radius = 0.5 * float(np.linalg.norm(hi - lo))
        objs = []
        for nm, m, mat in ((kind.name, mesh, compile_graph(build_material(MaterialRef(kind.material, seed=k)))),
                           ("ground", ground(6 * radius), sand)):
            me = mesh_to_blender(nm, m)
            me.materials.append(mat)
            ob = bpy.data.objects.new(nm, me)
            bscene.collection.objects.link(ob)
            objs.append(ob)
        hfov = 40.0
        dist = 0.8 * radius / np.sin(np.radians(hfov / 2))
        el, az = np.radians(35.0), np.radians(-60.0)
        eye = centre + dist * np.array([np.cos(el) * np.cos(az), np.cos(el) * np.sin(az), np.sin(el)])
        set_camera(bscene, Camera.from_hfov(tile, tile, hfov, look_at(eye, centre)))
        with _quiet():
            bpy.ops.render.render()
            bpy.data.images["Render Result"].save_render(path, scene=bscene)
        tiles.append((f"{kind.name} {mesh.n_triangles // 1000}k", read_png(path)[..., :3].copy()))
        for ob in objs:
            me = ob.data
            bpy.data.objects.remove(ob)
            bpy.data.meshes.remove(me)
        print(f"{kind.name}: {time.perf_counter() - t0:.1f} s", flush=True)
    return tiles


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tile", type=int, default=160)
    ap.add_argument("--samples", type=int, default=8)
    ap.add_argument("--only", action="append", default=None)
    ap.add_argument("--table", action="store_true", help="print the docs table (build time, triangles) and stop")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    from wildsynth.generators.underwater import kinds

    names = args.only or [k.name for k in kinds()]
    t0 = time.perf_counter()
    rows = build_all(names)
    if args.table:
        print(table(rows))
        return
    from PIL import Image

    from wildsynth.io.preview import contact_sheet

    tiles = render(rows, args.tile, args.samples)
    sheet = contact_sheet(tiles, columns=min(6, len(tiles)), max_tile_width=args.tile)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_suffix(".tmp.jpg")
    Image.fromarray(sheet).save(tmp, quality=82, optimize=True)
    tmp.replace(args.out)
    print(f"wrote {args.out} ({len(tiles)} kinds, {args.out.stat().st_size // 1024} KB, "
          f"{time.perf_counter() - t0:.0f} s)")


if __name__ == "__main__":
    main()
