"""Measure what a material's graph feeds its surface: base colour and roughness, baked in Cycles.

The first Principled BSDF's Base Color and Roughness inputs are routed into an emission
shader and baked over a flat 1 m square that carries constant terrain masks (and the
plant attributes ``tip``/``vary``/``tint`` as gradients, as blade and leaf meshes have).
This is the graph's own evaluation, noise textures included, not a copy of its constants.
"""

from __future__ import annotations

import bpy
import numpy as np

from wildsynth.core.mesh import Mesh
from wildsynth.core.scene import MaterialRef
from wildsynth.materials import build
from wildsynth.render.cycles import _quiet
from wildsynth.render.translate import compile_graph, mesh_to_blender, reset

LUMA = np.array([0.2126, 0.7152, 0.0722])
DRY = {"slope": 0.1, "height": 20.0, "patch": 0.5, "dirt": 0.5, "moisture": 0.1, "water_dist": 200.0,
       "snow": 0.0, "beach": 0.0, "wet": 0.0}


def square(n: int = 9, extent: float = 1.0, masks: dict | None = None, vertical: bool = False) -> Mesh:
    """An n x n vertex grid of ``extent`` m at z = 0 (or, ``vertical``, in the x-z plane) with
    constant masks (an array mask is a function of x: a 2D map seen on the square) and plant
    gradients."""
    t = np.linspace(-extent / 2, extent / 2, n)
    x, y = np.meshgrid(t, t, indexing="xy")
    v = np.stack([x.ravel(), y.ravel(), np.zeros(n * n)], -1)
    if vertical:
        v = v[:, [0, 2, 1]]
    i = np.arange(n - 1)
    a = (i[None, :] + n * i[:, None]).ravel()
    f = np.concatenate([np.stack([a, a + 1, a + n + 1], -1), np.stack([a, a + n + 1, a + n], -1)])
    u = (v[:, 0] / extent + 0.5).astype(np.float32)
    attrs = {k: (val(v[:, 0]) if callable(val) else np.full(n * n, val)).astype(np.float32)
             for k, val in {**DRY, **(masks or {})}.items()}
    attrs["tip"] = u
    attrs["vary"] = (v[:, 1] / extent + 0.5).astype(np.float32)
    attrs["tint"] = np.stack([0.05 + 0.1 * u, 0.1 + 0.05 * u, 0.02 + 0.0 * u], -1).astype(np.float32)
    return Mesh(v, f, attributes=attrs)


def _uv(me) -> None:
    uv = me.uv_layers.new(name="UVMap")
    co = np.empty(len(me.vertices) * 3, dtype=np.float32)
    me.vertices.foreach_get("co", co)
    co = co.reshape(-1, 3)
    co = co[:, [0, 2]] if np.ptp(co[:, 1]) == 0 else co[:, :2]
    lo, hi = co.min(0), co.max(0)
    loops = np.empty(len(me.loops), dtype=np.int32)
    me.loops.foreach_get("vertex_index", loops)
    uv.data.foreach_set("uv", ((co[loops] - lo) / (hi - lo)).astype(np.float32).ravel())


def bake_inputs(ref: MaterialRef, masks: dict | None = None, size: int = 32, vertical: bool = False,
                n: int = 9) -> dict[str, np.ndarray]:
    """{"albedo": (size, size) luminance of the linear base colour, "color": (size, size, 3),
    "roughness": (size, size)}; empty if the graph has no Principled BSDF."""
    with _quiet():
        bscene = reset()
    bscene.render.engine = "CYCLES"
    bscene.cycles.device, bscene.cycles.samples = "CPU", 1
    me = mesh_to_blender("probe", square(n, masks=masks, vertical=vertical))
    _uv(me)
    ob = bpy.data.objects.new("probe", me)
    bscene.collection.objects.link(ob)
    mat = compile_graph(build(ref))
    me.materials.append(mat)
    nt = mat.node_tree
    bsdf = next((n for n in nt.nodes if n.bl_idname == "ShaderNodeBsdfPrincipled"), None)
    if bsdf is None:
        return {}
    out = next(n for n in nt.nodes if n.bl_idname == "ShaderNodeOutputMaterial")
    for link in list(out.inputs["Volume"].links):
        nt.links.remove(link)
    emit = nt.nodes.new("ShaderNodeEmission")
    nt.links.new(emit.outputs[0], out.inputs["Surface"])
    tex = nt.nodes.new("ShaderNodeTexImage")
    nt.nodes.active = tex
    bpy.context.view_layer.objects.active = ob
    ob.select_set(True)
    res = {}
    for name in ("Base Color", "Roughness"):
        sock = bsdf.inputs[name]
        for link in list(emit.inputs["Color"].links):
            nt.links.remove(link)
        if sock.is_linked:
            nt.links.new(sock.links[0].from_socket, emit.inputs["Color"])
        else:
            val = sock.default_value
            emit.inputs["Color"].default_value = tuple(val) if name == "Base Color" else (val, val, val, 1.0)
        img = bpy.data.images.new(f"probe_{name}", size, size, alpha=False, float_buffer=True)
        img.colorspace_settings.name = "Non-Color"
        tex.image = img
        with _quiet():
            bpy.ops.object.bake(type="EMIT", margin=0, use_clear=True)
        px = np.empty(size * size * 4, dtype=np.float32)
        img.pixels.foreach_get(px)
        rgb = px.reshape(size, size, 4)[..., :3].astype(np.float64)
        if name == "Base Color":
            res["color"], res["albedo"] = rgb, rgb @ LUMA
        else:
            res["roughness"] = rgb[..., 0]
        bpy.data.images.remove(img)
    return res


def render_patches(refs: list, px: int = 64, samples: int = 8, tmp: str = "/tmp") -> list[np.ndarray]:
    """Luminance (px*0.8, px*0.8) in [0, 1] of a 1 m square of each material (``None``: a flat
    grey diffuse square, the reference for render noise), displaced as in a scene (1.25 cm
    vertex spacing), all in one frame seen straight down at ``px`` pixels per metre, in a
    35 degree sun (displacement casts shadows). One render: Cycles compiles every shader once."""
    from wildsynth.core.scene import Scene, Sun
    from wildsynth.io import read_png
    from wildsynth.materials.displace import displace
    from wildsynth.render.translate import set_sun_and_sky

    with _quiet():
        bscene = reset()
    bscene.render.engine = "CYCLES"
    cy = bscene.cycles
    cy.device, cy.samples, cy.use_denoising, cy.use_adaptive_sampling = "CPU", samples, False, False
    cy.seed = 1
    cy.max_bounces, cy.diffuse_bounces, cy.glossy_bounces = 3, 1, 1
    bscene.view_settings.view_transform = "Standard"
    bscene.view_settings.exposure = -1.5  # snow and salt stay below white
    scene = Scene()
    scene.sun = Sun.from_angles(35.0, -50.0, strength=1.8)
    set_sun_and_sky(bscene, scene)
    cols = int(np.ceil(np.sqrt(len(refs))))
    rows = int(np.ceil(len(refs) / cols))
    pitch = 1.25  # m between patch centres; a patch is 1 m
    base = square(81, 1.0)
    for k, ref in enumerate(refs):
        mesh = base if ref is None else displace(base, ref)
        me = mesh_to_blender(f"patch{k}", mesh)
        if ref is None:
            mat = bpy.data.materials.new("flat")
            mat.use_nodes = True
            mat.node_tree.nodes["Principled BSDF"].inputs["Base Color"].default_value = (0.2, 0.2, 0.2, 1.0)
        else:
            mat = compile_graph(build(ref))
        me.materials.append(mat)
        ob = bpy.data.objects.new(f"patch{k}", me)
        ob.location = ((k % cols) * pitch, -(k // cols) * pitch, 0.0)
        bscene.collection.objects.link(ob)
    cam = bpy.data.objects.new("cam", bpy.data.cameras.new("cam"))
    cam.data.type = "ORTHO"
    cam.data.ortho_scale = max(cols, rows) * pitch
    cam.location = ((cols - 1) * pitch / 2, -(rows - 1) * pitch / 2, 5.0)
    bscene.collection.objects.link(cam)
    bscene.camera = cam
    per = int(round(px * pitch))
    bscene.render.resolution_x, bscene.render.resolution_y = cols * per, rows * per
    bscene.render.resolution_percentage = 100
    fmt = bscene.render.image_settings
    fmt.file_format, fmt.color_mode, fmt.color_depth = "PNG", "RGB", "16"
    path = f"{tmp}/ws_patches.png"
    with _quiet():
        bpy.ops.render.render()
        bpy.data.images["Render Result"].save_render(path, scene=bscene)
    raw = read_png(path)[..., :3]
    img = raw.astype(np.float64) / float(np.iinfo(raw.dtype).max) @ LUMA
    inner = int(px * 0.4)
    out = []
    for k in range(len(refs)):
        cy_, cx_ = (k // cols) * per + per // 2, (k % cols) * per + per // 2
        out.append(img[cy_ - inner:cy_ + inner, cx_ - inner:cx_ + inner])
    return out
