"""glTF (.glb) and USD export: geometry, instances, ids, classes, cameras, materials, CLI errors.

GLB files are read back by parsing the GLB container with the standard library;
USD files through Blender's own importer into a fresh scene.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
import typer
from typer.testing import CliRunner

from wildsynth.core import Camera, CameraRig, Instances, MaterialRef, Mesh, Object, Scene, look_at
from wildsynth.core.mesh import compose_trs, rotation_z
from wildsynth.io.glb import read_glb, write_glb
from wildsynth.materials import RECIPES, build
from wildsynth.render.export import export_format, export_scene, material_factors

pytestmark = pytest.mark.blender  # renders with Cycles

# glTF is Y-up: a Z-up world point (x, y, z) is stored as (x, z, -y)
ZUP_TO_YUP = np.array([[1.0, 0, 0, 0], [0, 0, 1, 0], [0, -1, 0, 0], [0, 0, 0, 1]])


def _hand_scene() -> tuple[Scene, CameraRig]:
    rng = np.random.default_rng(3)
    s = Scene()
    g = np.linspace(-4, 4, 5)
    xx, yy = np.meshgrid(g, g)
    v = np.stack([xx.ravel(), yy.ravel(), 0.1 * xx.ravel() ** 2], 1)
    faces = [[r * 5 + c, r * 5 + c + 1, r * 5 + c + 6] for r in range(4) for c in range(4)]
    faces += [[r * 5 + c, r * 5 + c + 6, r * 5 + c + 5] for r in range(4) for c in range(4)]
    s.add(Object("ground", Mesh(v, faces, {"slope": np.zeros(25)}), MaterialRef("meadow_ground"), "terrain", "test"))
    s.add(Object("boulder", Mesh([[0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1]], [[0, 2, 1], [0, 1, 3], [0, 3, 2], [1, 2, 3]]),
                 MaterialRef("rock"), "rock", "test"))
    n = 57
    blade = Mesh([[0, 0, 0], [0.05, 0, 0], [0, 0.02, 0.4], [0.05, 0.02, 0.4]], [[0, 1, 2], [1, 3, 2]])
    t = compose_trs(np.c_[rng.uniform(-4, 4, (n, 2)), rng.uniform(0, 1, n)], rotation_z(rng.uniform(0, 6.28, n)),
                    rng.uniform(0.5, 1.5, n))
    s.add(Object("tufts", Instances(blade, t), MaterialRef("grass"), "grass", "test"))
    left = Camera.from_hfov(64, 48, 70.0, look_at([9.0, -3.0, 2.5], [0.0, 0.0, 0.3]))
    right = Camera(np.array([[50.0, 0, 30.0], [0, 50.0, 21.0], [0, 0, 1]]), look_at([0.0, 9.0, 4.0], [0, 0, 0]), 64, 48)
    return s, CameraRig({"left": left, "right": right})


def _accessor(doc: dict, binary: bytes, index: int) -> np.ndarray:
    acc = doc["accessors"][index]
    view = doc["bufferViews"][acc["bufferView"]]
    dtype = {5121: np.uint8, 5123: np.uint16, 5125: np.uint32, 5126: np.float32}[acc["componentType"]]
    width = {"SCALAR": 1, "VEC3": 3, "VEC4": 4, "MAT4": 16}[acc["type"]]
    start = view.get("byteOffset", 0) + acc.get("byteOffset", 0)
    a = np.frombuffer(binary, dtype=dtype, count=acc["count"] * width, offset=start)
    return a.reshape(acc["count"], width) if width > 1 else a


def _quat_to_matrix(q) -> np.ndarray:
    x, y, z, w = q
    return np.array([[1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
                     [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
                     [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)]])


def _node_matrix(node: dict) -> np.ndarray:
    m = np.eye(4)
    m[:3, :3] = _quat_to_matrix(node.get("rotation", [0, 0, 0, 1])) * np.asarray(node.get("scale", [1, 1, 1]))
    m[:3, 3] = node.get("translation", [0, 0, 0])
    return m


@pytest.fixture(scope="module")
def glb(tmp_path_factory):
    scene, rig = _hand_scene()
    path = tmp_path_factory.mktemp("glb") / "scene.glb"
    result = export_scene(scene, rig, path)
    doc, binary = read_glb(path)
    return scene, rig, result, doc, binary


def test_glb_meshes_ids_and_classes(glb):
    scene, _, result, doc, binary = glb
    nodes = {n["name"]: n for n in doc["nodes"]}
    for obj in scene.objects:
        node = nodes[obj.name]
        mesh = obj.geometry.mesh if obj.is_instanced else obj.geometry
        tris = sum(doc["accessors"][p["indices"]]["count"] // 3 for p in doc["meshes"][node["mesh"]]["primitives"])
        assert tris == mesh.n_triangles, obj.name
        assert node["extras"]["ws_class"] == obj.semantic
        assert node["extras"]["ws_class_id"] == {"terrain": 1, "rock": 2, "grass": 10}[obj.semantic]
        if not obj.is_instanced:
            assert node["extras"]["ws_id"] == obj.instance_id
    assert result.mesh_triangles == 32 + 4 + 2 and result.scene_triangles == scene.n_triangles


def test_glb_instances_stay_instances_with_transforms_and_ids(glb):
    scene, _, result, doc, binary = glb
    obj = scene.objects[2]
    node = next(n for n in doc["nodes"] if n["name"] == "tufts")
    attrs = node["extensions"]["EXT_mesh_gpu_instancing"]["attributes"]
    assert "EXT_mesh_gpu_instancing" in doc["extensionsUsed"] and result.instances == len(obj.geometry)
    ids = _accessor(doc, binary, attrs["_ID"])
    np.testing.assert_array_equal(ids, obj.geometry.ids)
    tr, rot, sc = (_accessor(doc, binary, attrs[k]) for k in ("TRANSLATION", "ROTATION", "SCALE"))
    assert len(tr) == len(obj.geometry)
    for k in (0, 17, len(obj.geometry) - 1):
        m = np.eye(4)
        m[:3, :3] = _quat_to_matrix(rot[k]) * sc[k]
        m[:3, 3] = tr[k]
        expected = ZUP_TO_YUP @ obj.geometry.transforms[k].astype(np.float64) @ np.linalg.inv(ZUP_TO_YUP)
        np.testing.assert_allclose(m, expected, atol=1e-5)


def test_glb_cameras_intrinsics_and_pose(glb):
    _, rig, result, doc, _ = glb
    assert result.cameras == 2
    for name, cam in rig.cameras.items():
        node = next(n for n in doc["nodes"] if n.get("name") == f"camera_{name}")
        persp = doc["cameras"][node["camera"]]["perspective"]
        assert persp["yfov"] == pytest.approx(2 * np.arctan(0.5 * cam.height / cam.K[1, 1]), abs=1e-4)
        assert persp["aspectRatio"] == pytest.approx(cam.width / cam.height, abs=1e-4)
        # back to Z-up, OpenGL -> OpenCV camera axes
        c2w = np.linalg.inv(ZUP_TO_YUP) @ _node_matrix(node) @ np.diag([1.0, -1, -1, 1])
        np.testing.assert_allclose(c2w, cam.cam_to_world, atol=1e-4)
        np.testing.assert_allclose(json.loads(node["extras"]["ws_K"]), cam.K)  # exact K (glTF has no principal point)


def test_glb_materials_carry_pbr_factors(glb):
    scene, _, _, doc, _ = glb
    mats = {m["name"]: m for m in doc["materials"]}
    assert set(mats) == {"meadow_ground", "rock", "grass"}
    for obj in scene.objects:
        mesh = obj.geometry.mesh if obj.is_instanced else obj.geometry
        f = material_factors(build(obj.material), mesh.attributes)
        pbr = mats[obj.material.recipe]["pbrMetallicRoughness"]
        np.testing.assert_allclose(pbr["baseColorFactor"][:3], f["base_color"], atol=1e-6)
        assert pbr["roughnessFactor"] == pytest.approx(f["roughness"], abs=1e-6)
    grass = mats["grass"]["pbrMetallicRoughness"]["baseColorFactor"]
    # blades mix green and dry straw (per-blade vertex colours): green to straw, never blue or grey
    assert grass[1] > 1.2 * grass[2] and grass[0] > grass[2]


def test_material_factors_of_every_recipe_are_valid():
    from wildsynth.core.scene import MaterialRef as Ref

    for name in RECIPES:
        f = material_factors(build(Ref(name)))
        assert len(f["base_color"]) == 3 and all(0.0 <= c <= 1.0 for c in f["base_color"]), name
        assert 0.0 <= f["roughness"] <= 1.0 and 0.0 <= f["transmission"] <= 1.0, name
    assert material_factors(build(Ref("water")))["transmission"] == 1.0
    # a mask read from the mesh changes the estimate: snow-covered ground is brighter
    g = build(Ref("meadow_ground", params=(("snowline", 0.0),)))
    low = material_factors(g, {"height": np.full(4, -200.0)})["base_color"]
    high = material_factors(g, {"height": np.full(4, 900.0)})["base_color"]
    assert np.mean(high) > np.mean(low) + 0.3


def _usd_import(path):
    import bpy

    from wildsynth.render.translate import reset

    reset()
    bpy.ops.wm.usd_import(filepath=str(path), import_usd_preview=True)
    return bpy


def test_usd_round_trip(tmp_path):
    scene, rig = _hand_scene()
    path = tmp_path / "scene.usdc"
    result = export_scene(scene, rig, path)
    assert result.format == "usd" and path.stat().st_size > 0
    bpy = _usd_import(path)
    obs = bpy.data.objects
    ground = obs["ground"]
    assert ground["ws_class"] == "terrain" and ground["ws_id"] == 1 and ground["ws_class_id"] == 1
    ground_mesh = ground if ground.type == "MESH" else next(c for c in ground.children if c.type == "MESH")
    assert len(ground_mesh.data.polygons) == 32 and all(len(p.vertices) == 3 for p in ground_mesh.data.polygons)
    assert obs["tufts"]["ws_class"] == "grass" and obs["tufts"]["ws_instances"] == 57
    # the point instancer comes back as geometry-nodes instances: count, transforms, ids
    dg = bpy.context.evaluated_depsgraph_get()
    # (each point instance is listed once per level of the referenced prototype: key by position)
    by_pos = {tuple(np.round(np.array(i.matrix_world)[:3, 3], 4)): np.array(i.matrix_world)
              for i in dg.object_instances if i.is_instance and i.object.type == "MESH"}
    obj = scene.objects[2]
    assert len(by_pos) == len(obj.geometry)
    got = np.array(sorted(m[:3, 3].tolist() for m in by_pos.values()))
    want = np.array(sorted(obj.geometry.transforms[:, :3, 3].tolist()))
    np.testing.assert_allclose(got, want, atol=1e-4)
    mats = list(by_pos.values())
    for k in (0, 30):
        t = obj.geometry.transforms[k]
        m = min(mats, key=lambda m: np.linalg.norm(m[:3, 3] - t[:3, 3]))
        np.testing.assert_allclose(m, t, atol=2e-3)  # USD stores rotations as half-float quaternions
    # cameras: Blender's USD reader rebuilds the lens and shift: compare the OpenCV K and pose
    for name, cam in rig.cameras.items():
        ob = next(o for o in obs if o.type == "CAMERA" and o.get("ws_camera") == name)
        d = ob.data
        fx = d.lens / d.sensor_width * cam.width
        cx = cam.width / 2 - d.shift_x * cam.width
        cy = cam.height / 2 + d.shift_y * cam.width
        np.testing.assert_allclose([fx, cx, cy], [cam.K[0, 0], cam.K[0, 2], cam.K[1, 2]], atol=1e-4 * cam.width)
        c2w = np.array(ob.matrix_world) @ np.diag([1.0, -1, -1, 1])
        np.testing.assert_allclose(c2w, cam.cam_to_world, atol=1e-4)


def test_usd_instance_ids_are_int_primvars(tmp_path):
    scene, rig = _hand_scene()
    path = tmp_path / "scene.usda"
    export_scene(scene, rig, path)
    text = path.read_text()
    line = next(ln for ln in text.splitlines() if "primvars:ws_id" in ln)
    assert line.strip().startswith("int[] primvars:ws_id")
    ids = [int(x) for x in line.split("= [", 1)[1].split("]", 1)[0].split(",")]
    assert ids == scene.objects[2].geometry.ids.tolist()
    assert 'def PointInstancer "tufts' in text


def test_glb_single_placement_is_a_child_node_with_its_id(tmp_path):
    s = Scene()
    s.add(Object("boulder", Mesh([[0, 0, 0], [1, 0, 0], [0, 1, 0]], [[0, 1, 2]]), MaterialRef("rock"), "rock", "test"))
    t = compose_trs(np.array([[1.0, 2.0, 3.0]]), rotation_z(np.array([0.3])), np.array([1.2]))
    s.add(Object("lonely", Instances(Mesh([[0, 0, 0], [1, 0, 0], [0, 0, 1]], [[0, 1, 2]]), t), MaterialRef("bark"),
                 "tree", "test"))
    r = export_scene(s, None, tmp_path / "one.glb")
    doc, _ = read_glb(tmp_path / "one.glb")
    parent = next(n for n in doc["nodes"] if n["name"] == "lonely")
    child = doc["nodes"][parent["children"][0]]
    assert r.cameras == 0 and parent["extras"]["ws_class"] == "tree" and child["extras"]["ws_id"] == 2
    np.testing.assert_allclose(child["translation"], [1.0, 3.0, -2.0], atol=1e-6)


def test_exclude_and_limits(tmp_path):
    scene, rig = _hand_scene()
    r = export_scene(scene, rig, tmp_path / "no_grass.glb", exclude=["grass"])
    doc, _ = read_glb(tmp_path / "no_grass.glb")
    assert r.excluded == ["tufts"] and "tufts" not in {n["name"] for n in doc["nodes"]}
    with pytest.raises(ValueError, match="over the limit"):
        export_scene(scene, rig, tmp_path / "big.glb", max_triangles=10)
    with pytest.raises(ValueError, match=r"unknown suffix '\.obj'.*\.glb, \.usd"):
        export_scene(scene, rig, tmp_path / "scene.obj")
    assert not (tmp_path / "big.glb").exists() and not (tmp_path / "scene.obj").exists()
    assert export_format("a.USDA") == "usd" and export_format("a.glb") == "gltf"


def _cli() -> typer.Typer:
    from wildsynth.cli.export import export_command

    app = typer.Typer(add_completion=False)
    app.command("export")(export_command)

    @app.command("noop")
    def _noop() -> None:  # a second command, so typer keeps "export" as a subcommand name
        pass

    return app


def test_cli_exports_meadow(tmp_path):
    out = tmp_path / "meadow.glb"
    res = CliRunner().invoke(_cli(), ["export", "--scene", "meadow", "--seed", "0", "--out", str(out),
                                      "--resolution", "96x64", "--set", "rocks.count=20"])
    assert res.exit_code == 0, res.output
    doc, binary = read_glb(out)
    names = {n["name"]: n for n in doc["nodes"]}
    assert "camera_main" in names and doc["cameras"][0]["perspective"]["aspectRatio"] == pytest.approx(1.5)
    classes = {n["extras"]["ws_class"] for n in doc["nodes"] if "ws_class" in n.get("extras", {})}
    assert {"terrain", "rock"} <= classes
    inst = [n for n in doc["nodes"] if "EXT_mesh_gpu_instancing" in n.get("extensions", {})]
    assert inst and all("_ID" in n["extensions"]["EXT_mesh_gpu_instancing"]["attributes"] for n in inst)


@pytest.mark.parametrize("args, message", [
    (["--out", "x.obj"], "--out x.obj: unknown suffix '.obj'"),
    (["--out", "x.glb", "--scene", "jungle"], "--scene jungle: unknown scene"),
    (["--out", "x.glb", "--resolution", "0x5"], "--resolution '0x5'"),
    (["--out", "x.glb", "--set", "rocks.cnt=3"], "--set rocks.cnt: unknown parameter"),
    (["--out", "x.glb", "--exclude", "grasss"], "--exclude grasss: unknown semantic class"),
])
def test_cli_bad_input_one_line_error(tmp_path, args, message):
    args = [a if a not in ("x.obj", "x.glb") else str(tmp_path / a) for a in args]
    res = CliRunner().invoke(_cli(), ["export", *args])
    assert res.exit_code == 2
    lines = [ln for ln in res.output.strip().splitlines() if ln.strip()]
    assert len(lines) == 1 and message in " ".join(lines), res.output
    assert not list(tmp_path.iterdir())


def test_glb_container_round_trip(tmp_path):
    doc = {"asset": {"version": "2.0"}, "extras": {"odd": "x"}}  # JSON of a length that needs padding
    write_glb(tmp_path / "a.glb", doc, b"\x01\x02\x03")
    back, binary = read_glb(tmp_path / "a.glb")
    assert back == doc and binary == b"\x01\x02\x03\x00"  # the BIN chunk is padded to 4 bytes
    raw = (tmp_path / "a.glb").read_bytes()
    assert len(raw) % 4 == 0 and int.from_bytes(raw[8:12], "little") == len(raw)
    write_glb(tmp_path / "b.glb", doc, b"")
    assert read_glb(tmp_path / "b.glb") == (doc, b"")
    (tmp_path / "c.glb").write_bytes(b"not a glb at all")
    with pytest.raises(ValueError):
        read_glb(tmp_path / "c.glb")
