"""Material gallery: every registered material on a (displaced) sphere, rendered with Cycles.

The sphere carries the same per-vertex masks the terrain writes (slope,
height, patch, dirt), so mask-driven materials show their variation.
"""

from __future__ import annotations

from typing import Callable

import bpy
import numpy as np

from ..core.axes import look_at
from ..core.camera import Camera
from ..core.mesh import Mesh
from ..core.scene import MaterialRef, Scene
from ..generators.noise import fbm3, perm_table
from ..generators.rocks import icosphere
from ..materials import RECIPES, build
from ..materials.displace import displace
from .cycles import _quiet
from .translate import compile_graph, mesh_to_blender, reset, set_camera, set_sun_and_sky


def gallery_sphere(subdivisions: int = 5) -> Mesh:
    """A unit sphere with terrain-style masks as vertex attributes."""
    s = icosphere(subdivisions)
    v = s.vertices.astype(np.float64)
    perm = perm_table(np.random.default_rng(0))
    patch = np.clip(0.5 + 0.9 * fbm3(v * 1.5, perm, 4), 0, 1)
    dirt = np.clip(0.5 + 0.9 * fbm3(v * 4.0 + 7.0, perm, 3), 0, 1)
    attrs = {"slope": (1.0 - v[:, 2]).clip(0, 1) * 0.6, "height": (v[:, 2] + 1.0) * 250.0,
             "patch": patch, "dirt": dirt}
    return Mesh(v, s.faces, attributes=attrs)


def render_gallery(names: list[str] | None = None, size: int = 256, samples: int = 16,
                   progress: Callable[[str], None] | None = None) -> list[tuple[str, np.ndarray]]:
    """Render each material (all registered ones by default); returns (name, uint8 RGB) tiles."""
    names = sorted(RECIPES) if names is None else names
    for n in names:
        if n not in RECIPES:
            raise KeyError(f"unknown material {n!r}; known: {', '.join(sorted(RECIPES))}")
    with _quiet():
        bscene = reset()
    bscene.render.engine = "CYCLES"
    cy = bscene.cycles
    cy.device, cy.samples, cy.use_denoising = "CPU", samples, True
    cy.use_adaptive_sampling, cy.adaptive_min_samples = True, min(8, samples)
    cy.max_bounces, cy.diffuse_bounces, cy.glossy_bounces, cy.transmission_bounces = 6, 2, 2, 6
    bscene.view_settings.view_transform = "AgX"
    bscene.view_settings.exposure = -0.7  # a sphere against the sky reads brighter than in a scene
    scene = Scene()
    from ..core.scene import Sun

    scene.sun = Sun.from_angles(40.0, -60.0, strength=4.0)
    set_sun_and_sky(bscene, scene)
    sphere = gallery_sphere()
    ob = bpy.data.objects.new("sphere", mesh_to_blender("sphere", sphere))
    bscene.collection.objects.link(ob)
    cam = Camera.from_hfov(size, size, 32.0, look_at([0.0, -4.2, 1.2], [0.0, 0.0, 0.0]))
    set_camera(bscene, cam)
    img = None
    tiles = []
    for name in names:
        if progress:
            progress(name)
        ref = MaterialRef(name, seed=0)
        mat = compile_graph(build(ref))
        old = ob.data
        ob.data = mesh_to_blender(name, displace(sphere, ref))  # real relief, as in scenes
        bpy.data.meshes.remove(old)
        ob.data.materials.append(mat)
        with _quiet():
            bpy.ops.render.render()
        img = bpy.data.images["Render Result"]
        path = f"{bpy.app.tempdir}/ws_gallery_tile.png"
        fmt = bscene.render.image_settings
        fmt.file_format, fmt.color_mode, fmt.color_depth = "PNG", "RGB", "8"
        with _quiet():
            img.save_render(path, scene=bscene)
        from ..io.png import read_png

        tiles.append((name, read_png(path)[..., :3].copy()))
        bpy.data.materials.remove(mat)
    return tiles
