"""Render docs/materials_gallery.png: every material recipe on a displaced 1 m patch, seen from 1 m.

    nice python docs/make_materials_gallery.py [--tile 160] [--samples 16] [--only NAME ...]

Each recipe gets a 1.4 m square (1 cm vertex spacing, the terrain's masks at meadow
values) displaced by its own numpy relief, as a scene would displace it, in a 35 degree
sun; the camera is 1 m away, 60 degrees down (about 1 m of ground across a tile). Water
and glass-like recipes lie over a pebble patch, volumes fill a box above one. All patches
are built once in one Blender scene; each tile renders only its own patch. Labels carry
the recipe name.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

OUT = Path(__file__).with_name("materials_gallery.png")
MASKS = {"slope": 0.1, "height": 20.0, "patch": 0.5, "dirt": 0.5, "moisture": 0.1, "water_dist": 200.0,
         "snow": 0.0, "beach": 0.0}


def patch(n: int = 141, extent: float = 1.4):
    """A square of ``extent`` m, n x n vertices, with constant terrain masks and plant gradients."""
    from wildsynth.core.mesh import Mesh

    t = np.linspace(-extent / 2, extent / 2, n)
    x, y = np.meshgrid(t, t, indexing="xy")
    v = np.stack([x.ravel(), y.ravel(), np.zeros(n * n)], -1)
    i = np.arange(n - 1)
    a = (i[None, :] + n * i[:, None]).ravel()
    f = np.concatenate([np.stack([a, a + 1, a + n + 1], -1), np.stack([a, a + n + 1, a + n], -1)])
    u = (v[:, 0] / extent + 0.5).astype(np.float32)
    attrs = {k: np.full(n * n, val, dtype=np.float32) for k, val in MASKS.items()}
    attrs.update(tip=u, vary=(v[:, 1] / extent + 0.5).astype(np.float32),
                 tint=np.stack([0.05 + 0.15 * u, 0.12 + 0.05 * u, 0.03 + 0.02 * u], -1).astype(np.float32))
    return Mesh(v, f, attributes=attrs)


def box(size: float = 0.7):
    from wildsynth.core.mesh import Mesh

    h = size / 2
    v = np.array([[x, y, z] for z in (0.02, size) for y in (-h, h) for x in (-h, h)], dtype=np.float64)
    f = [[0, 2, 1], [1, 2, 3], [4, 5, 6], [5, 7, 6], [0, 1, 4], [1, 5, 4], [2, 6, 3], [3, 6, 7],
         [0, 4, 2], [2, 4, 6], [1, 3, 5], [3, 7, 5]]
    return Mesh(v, np.array(f))


def render(names: list[str], tile: int, samples: int) -> list[tuple[str, np.ndarray]]:
    import bpy

    from wildsynth.core.axes import look_at
    from wildsynth.core.camera import Camera
    from wildsynth.core.scene import MaterialRef, Scene, Sun
    from wildsynth.io.png import read_png
    from wildsynth.materials import build
    from wildsynth.materials.displace import displace
    from wildsynth.materials.measured import RANGES
    from wildsynth.render.cycles import _quiet
    from wildsynth.render.translate import compile_graph, mesh_to_blender, reset, set_camera, set_sun_and_sky

    with _quiet():
        bscene = reset()
    bscene.render.engine = "CYCLES"
    cy = bscene.cycles
    cy.device, cy.samples, cy.use_denoising, cy.seed = "CPU", samples, True, 0
    cy.max_bounces, cy.diffuse_bounces, cy.glossy_bounces, cy.transmission_bounces = 6, 2, 2, 6
    bscene.view_settings.view_transform = "AgX"
    bscene.view_settings.exposure = -1.0
    scene = Scene()
    scene.sun = Sun.from_angles(35.0, -50.0, strength=4.0)
    set_sun_and_sky(bscene, scene)
    base = patch()
    under = MaterialRef("pebble_beach", seed=0)
    under_mat = compile_graph(build(under))
    under_mesh = mesh_to_blender("under", displace(base, under))
    under_mesh.materials.append(under_mat)
    centres, objects = [], []
    for k, name in enumerate(names):
        ref = MaterialRef(name, seed=0)
        kind = RANGES[name].kind if name in RANGES else "opaque"
        c = np.array([(k % 10) * 3.0, (k // 10) * 3.0, 0.0])
        centres.append(c)
        mat = compile_graph(build(ref))
        me = mesh_to_blender(name, box() if kind == "volume" else displace(base, ref))
        me.materials.append(mat)
        ob = bpy.data.objects.new(name, me)
        ob.location = tuple(c + (0.0, 0.0, 0.03 if kind == "clear" else 0.0))
        bscene.collection.objects.link(ob)
        objects.append([ob])
        if kind in ("clear", "volume"):
            bed = bpy.data.objects.new(f"{name}.bed", under_mesh)
            bed.location = tuple(c)
            bscene.collection.objects.link(bed)
            objects[-1].append(bed)
    fmt = bscene.render.image_settings
    fmt.file_format, fmt.color_mode, fmt.color_depth = "PNG", "RGB", "8"
    path = f"{bpy.app.tempdir}/ws_material_tile.png"
    tiles = []
    for k, (name, c) in enumerate(zip(names, centres)):
        t0 = time.perf_counter()
        for j, obs in enumerate(objects):  # only this tile's patch is synced and rendered
            for ob in obs:
                ob.hide_render = j != k
        set_camera(bscene, Camera.from_hfov(tile, tile, 55.0, look_at(c + (0.0, -0.5, 0.87), c)))
        with _quiet():
            bpy.ops.render.render()
            bpy.data.images["Render Result"].save_render(path, scene=bscene)
        tiles.append((name, read_png(path)[..., :3].copy()))
        print(f"{name}: {time.perf_counter() - t0:.1f} s", flush=True)
    return tiles


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tile", type=int, default=160)
    ap.add_argument("--samples", type=int, default=16)
    ap.add_argument("--only", action="append", default=None)
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    from wildsynth.io.png import write_png
    from wildsynth.io.preview import contact_sheet
    from wildsynth.materials import RECIPES

    names = args.only or sorted(RECIPES)
    t0 = time.perf_counter()
    tiles = render(names, args.tile, args.samples)
    write_png(args.out, contact_sheet(tiles, columns=min(8, len(tiles)), max_tile_width=args.tile))
    print(f"wrote {args.out} ({len(tiles)} materials, {time.perf_counter() - t0:.0f} s)")


if __name__ == "__main__":
    main()
