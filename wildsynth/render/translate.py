"""Scene -> Blender: meshes, instances, materials, camera, sun and sky.

Meshes move in with ``foreach_set``; ``Instances`` stay instances (a point
cloud carrying per-point 4x4 transforms and ids, expanded by a geometry-nodes
"instance on points" tree). Every object and instance carries its id as the
attribute ``ws_id`` so the ground-truth pass can read it.
"""

from __future__ import annotations

import math

import bpy
import numpy as np
from mathutils import Matrix

from ..core.axes import opencv_to_opengl
from ..core.camera import Camera
from ..core.mesh import Instances, Mesh
from ..core.scene import MaterialRef, Object, Scene
from ..materials import Graph, build
from ..materials.graph import Out
from ..materials.sky import cloud_volume_graph, haze_beta, sky_graph, with_aerial_perspective

ID_ATTR = "ws_id"
GT_HIDDEN = "ws_gt_hidden"  # custom property: object left out of the ground-truth pass


def reset() -> bpy.types.Scene:
    bpy.ops.wm.read_factory_settings(use_empty=True)
    return bpy.context.scene


def mesh_to_blender(name: str, mesh: Mesh) -> bpy.types.Mesh:
    me = bpy.data.meshes.new(name)
    # foreach_set copies a buffer of Blender's own type in one go and converts others element by
    # element: float32 positions and attributes, int32 indices (2.5x faster on a 1M-vertex mesh)
    v = np.ascontiguousarray(mesh.vertices, dtype=np.float32)
    f = np.ascontiguousarray(mesh.faces, dtype=np.int32)
    me.vertices.add(len(v))
    me.vertices.foreach_set("co", v.ravel())
    me.loops.add(f.size)
    me.loops.foreach_set("vertex_index", f.ravel())
    me.polygons.add(len(f))
    me.polygons.foreach_set("loop_start", np.arange(0, f.size, 3, dtype=np.int32))
    for key, a in mesh.attributes.items():
        kind = "FLOAT" if a.ndim == 1 else "FLOAT_VECTOR"
        attr = me.attributes.new(key, kind, "POINT")
        attr.data.foreach_set("value" if kind == "FLOAT" else "vector", np.ascontiguousarray(a, dtype=np.float32).ravel())
    me.update()
    if mesh.smooth:
        me.shade_smooth()
    return me


def _instancer_tree() -> bpy.types.NodeTree:
    """Geometry nodes: one instance of the prototype per point, transform from ``xform``."""
    tree = bpy.data.node_groups.get("ws_instancer")
    if tree is not None:
        return tree
    tree = bpy.data.node_groups.new("ws_instancer", "GeometryNodeTree")
    tree.interface.new_socket("Geometry", in_out="INPUT", socket_type="NodeSocketGeometry")
    tree.interface.new_socket("Prototype", in_out="INPUT", socket_type="NodeSocketObject")
    tree.interface.new_socket("Geometry", in_out="OUTPUT", socket_type="NodeSocketGeometry")
    nodes, link = tree.nodes, tree.links.new
    gin, gout = nodes.new("NodeGroupInput"), nodes.new("NodeGroupOutput")
    info = nodes.new("GeometryNodeObjectInfo")
    inst = nodes.new("GeometryNodeInstanceOnPoints")
    xform = nodes.new("GeometryNodeInputNamedAttribute")
    xform.data_type = "FLOAT4X4"
    xform.inputs["Name"].default_value = "xform"
    set_xf = nodes.new("GeometryNodeSetInstanceTransform")
    link(gin.outputs["Prototype"], info.inputs["Object"])
    link(gin.outputs["Geometry"], inst.inputs["Points"])
    link(info.outputs["Geometry"], inst.inputs["Instance"])
    link(inst.outputs["Instances"], set_xf.inputs["Instances"])
    link(xform.outputs["Attribute"], set_xf.inputs["Transform"])
    link(set_xf.outputs["Instances"], gout.inputs["Geometry"])
    return tree


def _add_instances(bscene: bpy.types.Scene, obj: Object, material: bpy.types.Material) -> None:
    inst: Instances = obj.geometry
    proto = bpy.data.objects.new(f"{obj.name}.proto", mesh_to_blender(f"{obj.name}.proto", inst.mesh))
    proto.data.materials.append(material)  # not linked to the scene: only instanced
    pts = bpy.data.meshes.new(f"{obj.name}.points")
    n = len(inst)
    pts.vertices.add(n)
    pts.vertices.foreach_set("co", np.ascontiguousarray(inst.transforms[:, :3, 3], dtype=np.float32).ravel())
    xf = pts.attributes.new("xform", "FLOAT4X4", "POINT")
    # Blender stores 4x4 attributes column-major.
    xf.data.foreach_set("value", np.ascontiguousarray(inst.transforms.transpose(0, 2, 1), dtype=np.float32).ravel())
    ids = pts.attributes.new(ID_ATTR, "FLOAT", "POINT")
    ids.data.foreach_set("value", inst.ids.astype(np.float32))
    ob = bpy.data.objects.new(obj.name, pts)
    mod = ob.modifiers.new("instances", "NODES")
    mod.node_group = _instancer_tree()
    key = mod.node_group.interface.items_tree["Prototype"].identifier
    mod[key] = proto
    ob[GT_HIDDEN] = not obj.in_ground_truth
    _ray_visibility(ob, obj)
    bscene.collection.objects.link(ob)


def compile_graph(graph: Graph, node_tree=None, output: str = "ShaderNodeOutputMaterial"):
    """Build a Blender material (or fill ``node_tree``, e.g. a world's) from a
    renderer-free graph, node for node. Returns the material or the node tree."""
    if node_tree is None:
        mat = bpy.data.materials.new(graph.name)
        mat.use_nodes = True
        nt = mat.node_tree
    else:
        mat, nt = node_tree, node_tree
    nt.nodes.clear()
    made: dict[int, bpy.types.Node] = {}
    for node in graph.nodes:
        bn = nt.nodes.new(node.type)
        for key, value in node.props.items():
            if key == "ramp":
                els = bn.color_ramp.elements
                while len(els) > 1:
                    els.remove(els[-1])
                els[0].position, els[0].color = value[0]
                for pos, col in value[1:]:
                    els.new(pos).color = col
            elif key == "ramp_interpolation":
                bn.color_ramp.interpolation = value
            else:
                setattr(bn, key, value)
        made[id(node)] = bn
    for node in graph.nodes:
        bn = made[id(node)]
        for key, value in node.inputs.items():
            sock = _socket(bn.inputs, key, node.type)
            if isinstance(value, Out):
                nt.links.new(_socket(made[id(value.node)].outputs, value.socket, value.node.type), sock)
            elif isinstance(value, tuple) and len(value) == 3 and sock.type == "RGBA":
                sock.default_value = (*value, 1.0)
            else:
                sock.default_value = value
    out = nt.nodes.new(output)
    for kind, src in graph.outputs.items():
        nt.links.new(_socket(made[id(src.node)].outputs, src.socket, src.node.type), out.inputs[kind])
    return mat


def _socket(sockets, key, node_type: str):
    if isinstance(key, int):
        return sockets[key]
    found = [s for s in sockets if s.name == key and s.enabled]
    if not found:
        names = sorted({s.name for s in sockets if s.enabled})
        raise KeyError(f"{node_type} has no enabled socket {key!r}; it has {names}")
    return found[0]


def add_objects(bscene: bpy.types.Scene, scene: Scene, aerial: bool = True) -> None:
    """Every object of ``scene``; with ``aerial``, each material is seen through the haze of the
    scene's air (``materials.sky.with_aerial_perspective``), except on ``haze_free`` objects (no
    point of them is as far from a camera as the haze starts, so it would add nothing)."""
    cache: dict = {}
    beta = haze_beta(scene.sky.air_density, scene.sky.dust_density) if aerial else 0.0

    def material(ref: MaterialRef, hazed: bool):
        mat = cache.get((ref, hazed))
        if mat is None:
            graph = build(ref)
            if hazed:
                graph = with_aerial_perspective(graph, scene.sky, scene.sun, beta)
            mat = cache[(ref, hazed)] = compile_graph(graph)
            if beta > 0.0:
                mat.cycles.emission_sampling = "NONE"  # the haze glow is not a light (haze-free too, as before)
        return mat

    for obj in scene.objects:
        free = obj.haze_free  # within the haze's start of every camera: the wrapper would add nothing
        split = beta > 0.0 and isinstance(free, np.ndarray)
        mat = material(obj.material, beta > 0.0 and (split or not bool(free)))  # slot 0: hazed when split
        if obj.is_instanced:
            _add_instances(bscene, obj, mat)
        else:
            ob = bpy.data.objects.new(obj.name, mesh_to_blender(obj.name, obj.geometry))
            ob.data.materials.append(mat)
            if split:  # slot 1: the faces near every camera, without the haze
                ob.data.materials.append(material(obj.material, False))
                ob.data.polygons.foreach_set("material_index", np.asarray(free, dtype=np.int32))
            ob[ID_ATTR] = float(obj.instance_id)
            ob[GT_HIDDEN] = not obj.in_ground_truth
            _ray_visibility(ob, obj)
            bscene.collection.objects.link(ob)


def _ray_visibility(ob: bpy.types.Object, obj: Object) -> None:
    for ray in obj.unseen_by:
        setattr(ob, f"visible_{ray}", False)


def set_camera(bscene: bpy.types.Scene, cam: Camera, sensor_width: float = 36.0) -> bpy.types.Object:
    """Place a Blender camera that reproduces the OpenCV pinhole exactly; ``sensor_width`` (mm)
    sets the real focal length (and so the depth of field), never the field of view."""
    fx, fy, cx, cy = cam.K[0, 0], cam.K[1, 1], cam.K[0, 2], cam.K[1, 2]
    if abs(fx - fy) > 1e-6 * fx:
        raise ValueError(f"non-square pixels are not supported (fx={fx}, fy={fy})")
    ob = bscene.camera
    if ob is None:
        ob = bpy.data.objects.new("camera", bpy.data.cameras.new("camera"))
        bscene.collection.objects.link(ob)
        bscene.camera = ob
    data = ob.data
    data.sensor_fit = "HORIZONTAL"
    data.sensor_width = float(sensor_width)
    data.lens = fx * data.sensor_width / cam.width
    data.shift_x = (cam.width / 2.0 - cx) / cam.width
    data.shift_y = (cy - cam.height / 2.0) / cam.width
    data.clip_start, data.clip_end = 0.01, 1.0e6
    ob.matrix_world = Matrix(opencv_to_opengl(cam.cam_to_world).tolist())
    bscene.render.resolution_x, bscene.render.resolution_y = cam.width, cam.height
    bscene.render.resolution_percentage = 100
    bscene.render.pixel_aspect_x = bscene.render.pixel_aspect_y = 1.0
    return ob


def set_sun_and_sky(bscene: bpy.types.Scene, scene: Scene, volumetric_clouds: bool = False) -> None:
    sun = scene.sun
    lamp = bpy.data.lights.new("sun", "SUN")
    lamp.energy = sun.strength
    lamp.color = tuple(float(c) for c in sun.color)
    lamp.angle = math.radians(sun.angle_deg)
    ob = bpy.data.objects.new("sun", lamp)
    z = np.asarray(sun.direction, dtype=np.float64)  # the lamp shines along its local -Z
    x = np.cross([0.0, 0.0, 1.0], z)
    x = x / np.linalg.norm(x) if np.linalg.norm(x) > 1e-9 else np.array([1.0, 0.0, 0.0])
    rot = np.eye(4)
    rot[:3, 0], rot[:3, 1], rot[:3, 2] = x, np.cross(z, x), z
    ob.matrix_world = Matrix(rot.tolist())
    bscene.collection.objects.link(ob)

    for k, light in enumerate(scene.lights):
        lamp = bpy.data.lights.new(f"lamp{k}", "POINT")
        lamp.energy, lamp.color, lamp.shadow_soft_size = float(light.power), tuple(light.color), float(light.radius)
        lob = bpy.data.objects.new(f"lamp{k}", lamp)
        lob.location = tuple(float(x) for x in light.position)
        bscene.collection.objects.link(lob)

    world = bpy.data.worlds.new("sky")
    bscene.world = world
    world.use_nodes = True
    clouds = volumetric_clouds and scene.sky.clouds > 0
    compile_graph(sky_graph(scene.sky, sun, cloud_layer=not clouds), world.node_tree, output="ShaderNodeOutputWorld")
    if clouds:
        add_cloud_slab(bscene, scene)


CLOUD_BASE, CLOUD_THICKNESS, CLOUD_EXTENT = 1500.0, 800.0, 20000.0  # m: above the highest geometry, half-width


def add_cloud_slab(bscene: bpy.types.Scene, scene: Scene) -> bpy.types.Object:
    """A box of cloud volume (``materials.sky.cloud_volume_graph``) from 1.5 km above the scene's
    highest vertex, 800 m thick, 40 km wide; never in the ground truth. It shades the ground
    where a cloud is between it and the sun."""
    top = max((float(o.geometry.vertices[:, 2].max()) for o in scene.objects
               if not o.is_instanced and len(o.geometry.vertices)), default=0.0)
    me = bpy.data.meshes.new("clouds")
    e, h = CLOUD_EXTENT, CLOUD_THICKNESS
    v = [(x, y, z) for z in (0.0, h) for y in (-e, e) for x in (-e, e)]
    f = [(0, 2, 3, 1), (4, 5, 7, 6), (0, 1, 5, 4), (2, 6, 7, 3), (0, 4, 6, 2), (1, 3, 7, 5)]
    me.from_pydata(v, [], f)
    me.materials.append(compile_graph(cloud_volume_graph(scene.sky, h)))
    ob = bpy.data.objects.new("clouds", me)
    ob.location = (0.0, 0.0, top + CLOUD_BASE)
    ob[GT_HIDDEN] = True
    ob.visible_diffuse = False  # skylight is already in the world; the slab only blocks the sun
    bscene.collection.objects.link(ob)
    return ob


def pose_things(scene: Scene, ids: np.ndarray, deltas: np.ndarray) -> None:
    """Move the things of ``ids`` to ``delta @ rest`` (see core/motion.py); others return to rest.

    Instances: the ``xform`` point attribute (and point positions) of each
    affected instancer is rewritten in place; mesh objects get the delta as
    their object matrix. Nothing is rebuilt.
    """
    n = int(max(scene._next_id, int(ids.max(initial=0)) + 1))
    row = np.full(n, -1, dtype=np.int64)
    row[np.asarray(ids, dtype=np.int64)] = np.arange(len(ids))
    for obj in scene.objects:
        ob = bpy.data.objects.get(obj.name)
        if ob is None:
            continue
        if obj.is_instanced:
            inst: Instances = obj.geometry
            r = row[inst.ids.astype(np.int64)]
            if not (r >= 0).any() and not ob.get("ws_moved", False):
                continue
            t = inst.transforms.astype(np.float64).copy()
            m = r >= 0
            t[m] = deltas[r[m]] @ t[m]
            t = t.astype(np.float32)
            me = ob.data
            me.vertices.foreach_set("co", np.ascontiguousarray(t[:, :3, 3], dtype=np.float32).ravel())
            me.attributes["xform"].data.foreach_set("value", np.ascontiguousarray(t.transpose(0, 2, 1), dtype=np.float32).ravel())
            me.update()
            ob["ws_moved"] = bool(m.any())
        else:
            k = row[int(obj.instance_id)] if obj.instance_id < n else -1
            ob.matrix_world = Matrix((deltas[k] if k >= 0 else np.eye(4)).tolist())


def deform_things(scene: Scene, ids: np.ndarray, vertices: list[np.ndarray]) -> None:
    """Set the world vertex positions of the mesh objects of ``ids`` (deforming meshes, each drawn
    with the identity object matrix) to ``vertices`` (one (V, 3) array per id); normals follow."""
    where = {int(i): k for k, i in enumerate(np.asarray(ids).tolist())}
    for obj in scene.objects:
        k = where.get(int(obj.instance_id)) if not obj.is_instanced else None
        ob = bpy.data.objects.get(obj.name) if k is not None else None
        if ob is None:
            continue
        me = ob.data
        v = np.ascontiguousarray(vertices[k], dtype=np.float32)
        if len(v) != len(me.vertices):
            raise ValueError(f"deform_things: {obj.name} has {len(me.vertices)} vertices, got {len(v)}")
        me.vertices.foreach_set("co", v.ravel())
        me.update()
        ob.matrix_world = Matrix.Identity(4)


def load_scene(scene: Scene, aerial: bool = True, volumetric_clouds: bool = False) -> bpy.types.Scene:
    """A fresh Blender scene holding ``scene`` (objects, sun, sky), ready for a camera."""
    bscene = reset()
    bscene.render.engine = "CYCLES"
    add_objects(bscene, scene, aerial)
    set_sun_and_sky(bscene, scene, volumetric_clouds)
    return bscene
