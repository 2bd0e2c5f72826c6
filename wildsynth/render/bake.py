"""Bake any material to PBR texture maps (base colour, roughness, tangent-space normal).

The material is applied to a flat square of ``extent`` metres whose UVs span
[0, 1]^2, and Cycles bakes each channel into an image of ``size`` pixels.
Terrain masks (slope, height...) are absent on the square, so mask-driven
materials bake their flat-ground look.
"""

from __future__ import annotations

from pathlib import Path

import bpy
import numpy as np

from ..core.mesh import Mesh
from ..core.scene import MaterialRef
from ..materials import build
from .cycles import _quiet
from .translate import compile_graph, mesh_to_blender, reset

# channel -> (Cycles bake type, pass filter, colour space, components)
_BAKES = {
    "base_color": ("DIFFUSE", {"COLOR"}, "sRGB", 3),
    "roughness": ("ROUGHNESS", set(), "Non-Color", 1),
    "normal": ("NORMAL", set(), "Non-Color", 3),
}


def _square(extent: float) -> Mesh:
    h = extent / 2.0
    return Mesh([[-h, -h, 0.0], [h, -h, 0.0], [h, h, 0.0], [-h, h, 0.0]], [[0, 1, 2], [0, 2, 3]], smooth=False)


def bake_material(ref: MaterialRef, size: int = 512, extent: float = 2.0,
                  channels: tuple[str, ...] = ("base_color", "roughness", "normal")) -> dict[str, np.ndarray]:
    """Maps as float32 arrays, rows top-first: base_color (sRGB-encoded, [0, 1]) (H, W, 3),
    roughness (H, W), normal (H, W, 3) in the OpenGL tangent-space convention ([0, 1], +Y up)."""
    unknown = [c for c in channels if c not in _BAKES]
    if unknown:
        raise ValueError(f"unknown bake channel {unknown[0]!r}; known: {', '.join(_BAKES)}")
    if not 8 <= size <= 8192:
        raise ValueError(f"bake size {size}: must be between 8 and 8192 pixels")
    with _quiet():
        bscene = reset()
    bscene.render.engine = "CYCLES"
    bscene.cycles.device, bscene.cycles.samples = "CPU", 4
    me = mesh_to_blender("bake_square", _square(extent))
    uv = me.uv_layers.new(name="UVMap")
    corner_uv = np.array([[0, 0], [1, 0], [1, 1], [0, 1]], dtype=np.float32)
    loop_verts = np.zeros(len(me.loops), dtype=np.int32)
    me.loops.foreach_get("vertex_index", loop_verts)
    uv.data.foreach_set("uv", corner_uv[loop_verts].ravel())
    ob = bpy.data.objects.new("bake_square", me)
    bscene.collection.objects.link(ob)
    mat = compile_graph(build(ref))
    me.materials.append(mat)
    bpy.context.view_layer.objects.active = ob
    ob.select_set(True)
    tex = mat.node_tree.nodes.new("ShaderNodeTexImage")
    mat.node_tree.nodes.active = tex
    out: dict[str, np.ndarray] = {}
    for name in channels:
        kind, filt, space, comps = _BAKES[name]
        img = bpy.data.images.new(f"bake_{name}", size, size, alpha=False, float_buffer=True)
        img.colorspace_settings.name = space if space != "sRGB" else "Linear Rec.709"
        tex.image = img
        bscene.render.bake.use_pass_direct = bscene.render.bake.use_pass_indirect = False
        bscene.render.bake.use_pass_color = "COLOR" in filt
        with _quiet():
            bpy.ops.object.bake(type=kind, pass_filter=filt, margin=0, use_clear=True)
        px = np.empty(size * size * 4, dtype=np.float32)
        img.pixels.foreach_get(px)
        a = px.reshape(size, size, 4)[::-1, :, :comps]  # Blender images are bottom-first
        if name == "base_color":  # baked linear; store display-ready sRGB like any texture
            a = np.where(a <= 0.0031308, 12.92 * a, 1.055 * np.power(np.clip(a, 0, None), 1 / 2.4) - 0.055)
        out[name] = np.ascontiguousarray(a[..., 0] if comps == 1 else a, dtype=np.float32)
        bpy.data.images.remove(img)
    return out


def write_maps(maps: dict[str, np.ndarray], folder: Path) -> list[Path]:
    """8-bit PNGs (base colour sRGB; roughness and normal linear), one per map."""
    from ..io.png import write_png

    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, a in maps.items():
        p = folder / f"{name}.png"
        write_png(p, (np.clip(a, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8))
        paths.append(p)
    return paths
