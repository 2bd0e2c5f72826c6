"""Export a scene's geometry, labels and cameras as glTF binary (.glb) or USD.

The Blender scene is built by the same translator the renderer uses
(``translate.load_scene``), then written by Blender's own exporters:

- ``.glb``: ``bpy.ops.export_scene.gltf``. ``Instances`` stay instances through
  EXT_mesh_gpu_instancing (one mesh, per-instance TRS); their ids are added as
  the custom instance attribute ``_ID`` (uint32), which Blender's exporter does
  not write, by rewriting the GLB once it is written.
- ``.usd`` / ``.usdc`` / ``.usda``: ``bpy.ops.wm.usd_export``. ``Instances``
  become ``UsdGeomPointInstancer`` prims with the ids as the int primvar
  ``primvars:ws_id``.

Both keep instances as instances; a scene whose written triangles (meshes, plus
each prototype once) exceed ``max_triangles`` is refused with an error naming
the biggest classes, so no multi-GB file is ever written silently. Classes can
be left out with ``exclude``.

Materials: the procedural Cycles graphs do not survive either format. Each
material is replaced by one Principled BSDF whose base colour, roughness,
metallic and transmission are constants estimated from the graph
(``material_factors``): textures at their mean, per-vertex masks at their mean
over the object's vertices. See docs/export.md.
"""

from __future__ import annotations

import errno
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import bpy
import numpy as np

from ..core.camera import Camera, CameraRig
from ..core.labels import label
from ..core.scene import MaterialRef, Object, Scene
from ..io.glb import read_glb, write_glb
from ..materials import build
from ..materials.graph import Graph, Node, Out
from .cycles import _quiet
from .translate import ID_ATTR, load_scene, set_camera

FORMATS = {".glb": "gltf", ".usd": "usd", ".usdc": "usd", ".usda": "usd"}
GLTF_ID_ATTRIBUTE = "_ID"  # EXT_mesh_gpu_instancing custom attribute: one uint32 id per instance
MAX_TRIANGLES = 20_000_000  # refuse to write more (at ~36 bytes a triangle, ~0.7 GB)


@dataclass
class ExportResult:
    path: Path
    format: str  # "gltf" or "usd"
    objects: int  # scene objects written
    mesh_triangles: int  # triangles stored in the file (each prototype once)
    scene_triangles: int  # triangles the instances expand to
    instances: int
    cameras: int
    seconds: float
    bytes: int
    excluded: list[str] = field(default_factory=list)  # object names left out


def export_format(path: Path | str) -> str:
    """The format for ``path``'s suffix; a one-line error lists the allowed ones otherwise."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(f"{Path(path).name}: unknown suffix {suffix or '(none)'!r}; "
                         f"allowed: {', '.join(FORMATS)}")
    return FORMATS[suffix]


# -- materials: constant PBR factors from a procedural graph ----------------------------

_TEXTURE_MEAN = 0.5  # noise, voronoi and wave outputs are treated as their mid value
_PRINCIPLED_DEFAULTS = {"Base Color": (0.8, 0.8, 0.8), "Roughness": 0.5, "Metallic": 0.0,
                        "Transmission Weight": 0.0, "Alpha": 1.0}
_FACTOR_KEYS = {"base_color": "Base Color", "roughness": "Roughness", "metallic": "Metallic",
                "transmission": "Transmission Weight", "alpha": "Alpha"}


def material_factors(graph: Graph, attributes: dict[str, np.ndarray] | None = None) -> dict:
    """Constant PBR factors for a material graph: ``base_color`` (linear RGB),
    ``roughness``, ``metallic``, ``transmission``, ``alpha``.

    The graph is evaluated once with every texture at its mean (0.5), texture
    coordinates and normals at 0, the per-object random value at 0.5 and each
    named attribute at its mean over ``attributes`` (per-vertex arrays; a
    missing one reads 0). Shader mixes blend the factors of their inputs.
    """
    means = {k: np.asarray(a, dtype=np.float64).reshape(len(a), -1).mean(axis=0) for k, a in (attributes or {}).items()
             if len(a)}
    ev = _Evaluator(means)
    surface = graph.outputs.get("Surface")
    factors = ev.shader(surface) if surface is not None else {}
    out = {}
    for key, socket in _FACTOR_KEYS.items():
        v = factors.get(socket)
        v = _PRINCIPLED_DEFAULTS[socket] if v is None else v
        if key == "base_color":
            out[key] = tuple(float(x) for x in np.clip(_rgb(v), 0.0, 1.0))
        else:
            out[key] = float(np.clip(np.mean(v), 0.0, 1.0))
    return out


def _rgb(v) -> np.ndarray:
    a = np.asarray(v, dtype=np.float64).ravel()
    return np.repeat(a[:1], 3) if a.size == 1 else a[:3]


class _Evaluator:
    """Evaluates the value outputs of a graph to floats or RGB arrays (see material_factors)."""

    def __init__(self, attribute_means: dict[str, np.ndarray]):
        self.attrs = attribute_means
        self.memo: dict = {}

    def value(self, v, default=0.5):
        if v is None:
            return default
        if isinstance(v, Node):
            v = v.out
        if not isinstance(v, Out):
            return np.asarray(v, dtype=np.float64)[:3] if isinstance(v, tuple) else float(v)
        key = (id(v.node), v.socket)
        if key not in self.memo:
            self.memo[key] = self._node_output(v.node, v.socket)
        return self.memo[key]

    def _in(self, node: Node, name, default):
        return self.value(node.inputs.get(name), default)

    def _node_output(self, node: Node, socket):
        t = node.type
        if t == "ShaderNodeAttribute":
            m = self.attrs.get(node.props.get("attribute_name"))
            if m is None:
                return 0.0
            return float(m.mean()) if socket in ("Fac", "Alpha") else _rgb(m)
        if t in ("ShaderNodeTexNoise", "ShaderNodeTexVoronoi", "ShaderNodeTexWave"):
            return _TEXTURE_MEAN if socket in ("Fac", "Distance", 0) else np.full(3, _TEXTURE_MEAN)
        if t == "ShaderNodeObjectInfo":
            return 0.5 if socket == "Random" else 0.0
        if t == "ShaderNodeValToRGB":
            fac = float(np.mean(self._in(node, "Fac", 0.5)))
            rgba = _ramp(node.props["ramp"], node.props.get("ramp_interpolation", "LINEAR"), fac)
            return rgba[3] if socket == "Alpha" else rgba[:3]
        if t == "ShaderNodeMath":
            return _math(node.props.get("operation", "ADD"), self._in(node, 0, 0.5), self._in(node, 1, 0.5),
                         node.props.get("use_clamp", False))
        if t == "ShaderNodeMapRange":
            x = self._in(node, "Value", 1.0)
            a, b = self._in(node, "From Min", 0.0), self._in(node, "From Max", 1.0)
            c, d = self._in(node, "To Min", 0.0), self._in(node, "To Max", 1.0)
            f = np.clip((x - a) / (b - a), 0.0, 1.0) if b != a else 0.0
            return c + f * (d - c)
        if t == "ShaderNodeMix":
            return _mix(node.props.get("blend_type", "MIX"), float(np.clip(np.mean(self._in(node, "Factor", 0.5)), 0, 1)),
                        _rgb(self._in(node, "A", 0.5)), _rgb(self._in(node, "B", 0.5)))
        if t == "ShaderNodeSeparateXYZ":
            return 0.0
        return 0.0 if socket not in ("Color",) else np.zeros(3)  # vectors, normals, bump: no effect on the factors

    def shader(self, out: Out | Node) -> dict:
        node = out.node if isinstance(out, Out) else out
        t = node.type
        if t == "ShaderNodeBsdfPrincipled":
            return {s: self._in(node, s, d) for s, d in _PRINCIPLED_DEFAULTS.items()}
        if t == "ShaderNodeBsdfTranslucent":
            return {"Base Color": self._in(node, "Color", (0.8, 0.8, 0.8))}
        if t in ("ShaderNodeMixShader", "ShaderNodeAddShader"):
            first = 1 if t == "ShaderNodeMixShader" else 0
            f = float(np.clip(np.mean(self._in(node, 0, 0.5)), 0, 1)) if t == "ShaderNodeMixShader" else 0.5
            a = self.shader(node.inputs[first]) if first in node.inputs else {}
            b = self.shader(node.inputs[first + 1]) if first + 1 in node.inputs else {}
            mixed = {}
            for s in set(a) | set(b):
                va, vb = a.get(s), b.get(s)
                if va is None or vb is None:  # a shader without this factor (translucent: roughness) follows the other
                    mixed[s] = va if vb is None else vb
                elif s == "Base Color":
                    mixed[s] = (1 - f) * _rgb(va) + f * _rgb(vb)
                else:
                    mixed[s] = (1 - f) * np.mean(va) + f * np.mean(vb)
            return mixed
        return {}


def _ramp(stops, interpolation: str, fac: float) -> np.ndarray:
    pos = np.array([p for p, _ in stops], dtype=np.float64)
    col = np.array([c for _, c in stops], dtype=np.float64)
    order = np.argsort(pos, kind="stable")
    pos, col = pos[order], col[order]
    if interpolation == "CONSTANT":
        k = max(int(np.searchsorted(pos, fac, side="right")) - 1, 0)
        return col[k]
    return np.array([np.interp(fac, pos, col[:, c]) for c in range(4)])


def _math(op: str, a, b, clamp: bool):
    ops = {"ADD": np.add, "SUBTRACT": np.subtract, "MULTIPLY": np.multiply, "MAXIMUM": np.maximum,
           "MINIMUM": np.minimum, "POWER": lambda x, y: np.power(np.maximum(x, 0.0), y),
           "DIVIDE": lambda x, y: np.divide(x, y) if np.all(y != 0) else 0.0}
    r = ops.get(op, lambda x, y: x)(np.mean(a), np.mean(b))
    return float(np.clip(r, 0.0, 1.0) if clamp else r)


def _mix(blend: str, f: float, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    if blend == "MULTIPLY":
        return a * ((1 - f) + f * b)
    if blend == "ADD":
        return a + f * b
    if blend == "SUBTRACT":
        return a - f * b
    if blend == "SCREEN":
        return 1 - ((1 - f) + f * (1 - b)) * (1 - a)
    return (1 - f) * a + f * b


def _export_material(ref: MaterialRef, factors: dict) -> bpy.types.Material:
    """A plain Principled BSDF with the estimated factors (what both exporters understand)."""
    mat = bpy.data.materials.new(ref.recipe)
    mat.use_nodes = True
    nt = mat.node_tree
    nt.nodes.clear()
    bsdf = nt.nodes.new("ShaderNodeBsdfPrincipled")
    bsdf.inputs["Base Color"].default_value = (*factors["base_color"], 1.0)
    bsdf.inputs["Roughness"].default_value = factors["roughness"]
    bsdf.inputs["Metallic"].default_value = factors["metallic"]
    bsdf.inputs["Transmission Weight"].default_value = factors["transmission"]
    bsdf.inputs["Alpha"].default_value = factors["alpha"]
    out = nt.nodes.new("ShaderNodeOutputMaterial")
    nt.links.new(bsdf.outputs["BSDF"], out.inputs["Surface"])
    mat.diffuse_color = (*factors["base_color"], 1.0)  # the viewport colour, which some readers use
    mat.roughness = factors["roughness"]
    mat["ws_recipe"] = ref.recipe
    mat["ws_material"] = json.dumps(ref.to_dict(), default=str)
    return mat


# -- the Blender scene for export ------------------------------------------------------

def _cameras(cameras) -> dict[str, Camera]:
    if cameras is None:
        return {}
    if isinstance(cameras, Camera):
        return {"main": cameras}
    if isinstance(cameras, CameraRig):
        return dict(cameras.cameras)
    if isinstance(cameras, dict):
        return dict(cameras)
    return {f"cam{k}": c for k, c in enumerate(cameras)}


def _add_cameras(bscene, cameras: dict[str, Camera]) -> None:
    sizes = {(c.width, c.height) for c in cameras.values()}
    if len(sizes) > 1:  # both formats take the aspect ratio from the one render resolution
        raise ValueError(f"cameras: all must share one image size, got {sorted(sizes)}")
    for name, cam in cameras.items():
        bscene.camera = None
        ob = set_camera(bscene, cam)  # the renderer's own OpenCV -> Blender conversion
        ob.name = ob.data.name = f"camera_{name}"
        ob["ws_camera"] = name
        ob["ws_K"] = json.dumps(cam.K.tolist())
        ob["ws_cam_to_world_opencv"] = json.dumps(cam.cam_to_world.tolist())
        ob["ws_width"], ob["ws_height"] = cam.width, cam.height
    if cameras:
        bscene.camera = bpy.data.objects[f"camera_{next(iter(cameras))}"]


def _label_object(ob: bpy.types.Object, obj: Object) -> None:
    lab = label(obj.semantic)
    ob["ws_class"] = lab.name
    ob["ws_class_id"] = lab.id
    ob["ws_generator"] = obj.generator
    ob["ws_material"] = obj.material.recipe
    if obj.is_instanced:
        if ID_ATTR in ob:
            del ob[ID_ATTR]
        ob["ws_instances"] = len(obj.geometry)
    else:
        ob[ID_ATTR] = int(obj.instance_id)


def _int_ids_on_points(ob: bpy.types.Object, ids: np.ndarray) -> None:
    """Replace the float id attribute of an instancer's points by an int one (exact past 2^24)."""
    me = ob.data
    me.attributes.remove(me.attributes[ID_ATTR])
    attr = me.attributes.new(ID_ATTR, "INT", "POINT")
    attr.data.foreach_set("value", ids.astype(np.int32))


def _prototypes_as_instances() -> None:
    """Object Info hands the prototype over as an instance reference instead of a copy of its
    geometry: this is what lets the USD exporter write a PointInstancer."""
    tree = bpy.data.node_groups.get("ws_instancer")
    if tree is not None:
        for node in tree.nodes:
            if node.bl_idname == "GeometryNodeObjectInfo":
                node.inputs["As Instance"].default_value = True


def build_export_scene(scene: Scene, cameras=None, exclude: Iterable[str] = ()) -> tuple:
    """Load ``scene`` into Blender for export. Returns (Blender scene, objects kept, names left out)."""
    exclude = set(exclude)
    for name in exclude:
        label(name)  # KeyError naming the known classes
    kept = [o for o in scene.objects if o.semantic not in exclude and not (o.is_instanced and len(o.geometry) == 0)]
    dropped = [o.name for o in scene.objects if o not in kept]
    sub = Scene(objects=kept, sun=scene.sun, sky=scene.sky, lights=scene.lights)
    with _quiet():
        bscene = load_scene(sub, aerial=False)
    _prototypes_as_instances()
    cache: dict = {}
    procedural = set(bpy.data.materials)
    for obj in kept:
        ob = bpy.data.objects[obj.name]
        mesh = obj.geometry.mesh if obj.is_instanced else obj.geometry
        me = bpy.data.objects[f"{obj.name}.proto"].data if obj.is_instanced else ob.data
        factors = material_factors(build(obj.material), mesh.attributes)
        key = (obj.material, tuple(np.round(factors["base_color"], 4)), round(factors["roughness"], 4))
        if key not in cache:
            cache[key] = _export_material(obj.material, factors)
        me.materials[0] = cache[key]
        _label_object(ob, obj)
        if obj.is_instanced:
            _int_ids_on_points(ob, obj.geometry.ids)
    for mat in procedural:  # the Cycles graphs, now unused: their names go to the exported materials
        bpy.data.materials.remove(mat)
    for mat in cache.values():
        mat.name = mat["ws_recipe"]
    _add_cameras(bscene, _cameras(cameras))
    return bscene, kept, dropped


# -- writing -------------------------------------------------------------------------

def export_scene(scene: Scene, cameras, path: Path | str, *, exclude: Iterable[str] = (),
                 max_triangles: int = MAX_TRIANGLES) -> ExportResult:
    """Write ``scene`` (geometry, ids, classes, materials as PBR factors) and ``cameras``
    (a Camera, a CameraRig, a dict or a list of them; None for none) to ``path``.

    The suffix picks the format: .glb (glTF binary) or .usd/.usdc/.usda. The file is
    written to a temporary name beside ``path`` and renamed when complete.
    """
    path = Path(path)
    fmt = export_format(path)
    exclude = list(exclude)
    kept_objects = [o for o in scene.objects if o.semantic not in set(exclude)]
    stored = sum(o.geometry.mesh.n_triangles if o.is_instanced else o.n_triangles for o in kept_objects)
    if stored > max_triangles:
        by_class: dict[str, int] = {}
        for o in kept_objects:
            by_class[o.semantic] = by_class.get(o.semantic, 0) + (o.geometry.mesh.n_triangles if o.is_instanced
                                                                  else o.n_triangles)
        top = ", ".join(f"{k} {v:,}" for k, v in sorted(by_class.items(), key=lambda kv: -kv[1])[:3])
        raise ValueError(f"export: {stored:,} triangles is over the limit of {max_triangles:,} ({top}); "
                         "leave classes out (exclude) or raise the limit")
    t0 = time.perf_counter()
    tmp = path.with_name(f".{path.stem}.partial-{os.getpid()}{path.suffix}")
    _probe_writable(tmp)  # an unwritable folder fails here, as an OSError, not inside Blender's exporter
    bscene, kept, dropped = build_export_scene(scene, cameras, exclude)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with _quiet():
            try:
                if fmt == "gltf":
                    _write_gltf(tmp)
                else:
                    _write_usd(tmp)
            except RuntimeError as e:  # Blender reports the exporter's OSError as text
                raise _os_error_in(e, tmp) from None
        if fmt == "gltf":
            _add_gltf_instance_ids(tmp, kept)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
        if fmt == "gltf":
            _clear_typing_caches()
    n_cams = len(_cameras(cameras))
    return ExportResult(path, fmt, len(kept), stored, sum(o.n_triangles for o in kept),
                        sum(len(o.geometry) for o in kept if o.is_instanced), n_cams,
                        round(time.perf_counter() - t0, 3), path.stat().st_size, dropped)


def _probe_writable(tmp: Path) -> None:
    """Create and remove ``tmp`` (in the nearest existing folder up the path when its own folder
    does not exist yet, so nothing is created); raises the OSError a write there would."""
    folder = tmp.parent
    while not folder.exists():
        folder = folder.parent
    probe = folder / tmp.name if folder != tmp.parent else tmp
    if not folder.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, "not a folder", str(folder))
    fd = os.open(probe, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    os.close(fd)
    os.unlink(probe)


def _os_error_in(e: RuntimeError, path: Path) -> Exception:
    """The OSError inside a Blender operator's error text (``OSError: [Errno 28] ...``), else ``e``."""
    import re

    m = re.search(r"(?:OSError|PermissionError|FileNotFoundError): \[Errno (\d+)\] ([^:'\n]+)", str(e))
    return OSError(int(m.group(1)), m.group(2).strip(), str(path)) if m else e


def _write_gltf(path: Path) -> None:
    bpy.ops.export_scene.gltf(
        filepath=str(path), export_format="GLB", export_yup=True,
        export_gn_mesh=True, export_gpu_instances=True,  # geometry-nodes instances -> EXT_mesh_gpu_instancing
        export_apply=False, export_extras=True, export_current_frame=True,  # the scene as it is: no frame change
        export_cameras=True, export_lights=False,  # KHR_lights_punctual would be marked required
        export_materials="EXPORT", export_image_format="NONE", export_attributes=False,
        use_selection=False, use_visible=False, export_animations=False)


def _clear_typing_caches() -> None:
    """bpy 4.5 hangs at process exit (a C++ destructor waits on its own audio thread) when the
    bpy module outlives interpreter teardown. After the glTF add-on ran, ``typing``'s caches
    hold classes whose module globals reach bpy (seen with every scene recipe): clearing them
    lets the process exit. Harmless: the caches refill on demand."""
    import typing

    for clear in getattr(typing, "_cleanups", []):
        clear()


def _write_usd(path: Path) -> None:
    bpy.ops.wm.usd_export(
        filepath=str(path), check_existing=False, selected_objects_only=False, visible_objects_only=False,
        use_instancing=True, export_materials=True, generate_preview_surface=True, export_textures=False,
        export_custom_properties=True, custom_properties_namespace="userProperties",
        export_cameras=True, export_lights=True, convert_world_material=False,
        convert_orientation=False, evaluation_mode="RENDER", export_animation=False)


# -- GLB: per-instance ids -----------------------------------------------------------

def _add_gltf_instance_ids(path: Path, kept: list[Object]) -> None:
    """Add each instanced node's ids as the EXT_mesh_gpu_instancing attribute ``_ID`` (uint32),
    in the order of its TRANSLATION accessor, which Blender writes in point order. (Blender
    writes a single placement as a plain child node instead; its id goes in that node's extras.)"""
    doc, binary = read_glb(path)
    by_name = {o.name: o for o in kept if o.is_instanced}
    nodes = {n.get("name"): n for n in doc.get("nodes", [])}
    buf = bytearray(binary)
    for name, obj in by_name.items():
        node = nodes.get(name)
        ext = (node or {}).get("extensions", {}).get("EXT_mesh_gpu_instancing")
        if ext is None and node is not None and len(obj.geometry) == 1 and len(node.get("children", [])) == 1:
            # a single placement is written as a plain child node: its id goes in the child's extras
            child = doc["nodes"][node["children"][0]]
            child.setdefault("extras", {})[ID_ATTR] = int(obj.geometry.ids[0])
            continue
        if ext is None:
            raise RuntimeError(f"glTF export: {name!r} was not written as GPU instances")
        count = doc["accessors"][ext["attributes"]["TRANSLATION"]]["count"]
        if count != len(obj.geometry):
            raise RuntimeError(f"glTF export: {name!r} has {count} instances in the file, {len(obj.geometry)} in the scene")
        buf += b"\0" * (-len(buf) % 4)
        ids = np.ascontiguousarray(obj.geometry.ids, dtype="<u4").tobytes()
        doc["bufferViews"].append({"buffer": 0, "byteOffset": len(buf), "byteLength": len(ids)})
        buf += ids
        doc["accessors"].append({"bufferView": len(doc["bufferViews"]) - 1, "componentType": 5125,
                                 "count": len(obj.geometry), "type": "SCALAR"})
        ext["attributes"][GLTF_ID_ATTRIBUTE] = len(doc["accessors"]) - 1
        node.setdefault("extras", {})["ws_ids_attribute"] = GLTF_ID_ATTRIBUTE
    if doc.get("buffers"):
        doc["buffers"][0]["byteLength"] = len(buf)
    else:
        doc["buffers"] = [{"byteLength": len(buf)}]
    write_glb(path, doc, bytes(buf))
