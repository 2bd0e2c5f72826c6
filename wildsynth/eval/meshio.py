"""Small readers for the meshes and point sets an evaluation gets (numpy only).

trimesh is not a dependency, so PLY (ASCII and binary, vertices and faces, optional
vertex normals), Wavefront OBJ (``v``/``vn``/``f``, polygons fanned into triangles,
negative indices), glTF binary (.glb: every triangle primitive of every node, node
transforms applied; read through ``wildsynth.io.glb``) and .npy/.npz point sets are
read here. A mesh is ``(vertices (V, 3), faces (F, 3) int)``; a point set is
``(points (N, 3), normals (N, 3) or None)``.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

MESH_SUFFIXES = (".ply", ".obj", ".glb")
POINT_SUFFIXES = (".npy", ".npz", ".ply", ".xyz", ".txt")
POINT_KEYS = ("points", "xyz", "coords", "pos", "positions", "pointcloud", "point_cloud", "vertices")
NORMAL_KEYS = ("normals", "normal", "nxyz")

_PLY_TYPES = {"char": "i1", "int8": "i1", "uchar": "u1", "uint8": "u1", "short": "i2", "int16": "i2",
              "ushort": "u2", "uint16": "u2", "int": "i4", "int32": "i4", "uint": "u4", "uint32": "u4",
              "float": "f4", "float32": "f4", "double": "f8", "float64": "f8"}


def _ply_header(raw: bytes, path) -> tuple[list, str, int]:
    end = raw.find(b"end_header")
    if not raw.startswith(b"ply") or end < 0:
        raise ValueError(f"{path}: not a PLY file")
    body = raw.index(b"\n", end) + 1
    elements: list = []  # [name, count, [(prop, dtype) | (prop, count_dtype, item_dtype)]]
    fmt = ""
    for line in raw[:body].decode("ascii", "replace").splitlines()[1:]:
        w = line.split()
        if not w or w[0] in ("comment", "obj_info", "end_header"):
            continue
        if w[0] == "format":
            fmt = w[1]
        elif w[0] == "element":
            elements.append([w[1], int(w[2]), []])
        elif w[0] == "property" and elements:
            if w[1] == "list":
                elements[-1][2].append((w[4], _PLY_TYPES[w[2]], _PLY_TYPES[w[3]]))
            else:
                elements[-1][2].append((w[2], _PLY_TYPES[w[1]]))
    if fmt not in ("ascii", "binary_little_endian", "binary_big_endian"):
        raise ValueError(f"{path}: unknown PLY format {fmt!r}")
    return elements, fmt, body


def read_ply(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """``{"vertices", "faces" (may be empty), "normals" (if present)}`` of a PLY file."""
    raw = Path(path).read_bytes()
    elements, fmt, pos = _ply_header(raw, path)
    end = "<" if fmt == "binary_little_endian" else ">"
    out: dict[str, np.ndarray] = {"faces": np.zeros((0, 3), np.int64)}
    tokens = raw[pos:].split() if fmt == "ascii" else None
    t = 0
    for name, count, props in elements:
        scalar = all(len(p) == 2 for p in props)
        if fmt != "ascii" and scalar:
            dt = np.dtype([(p[0], end + p[1]) for p in props])
            data = np.frombuffer(raw, dt, count, pos)
            pos += dt.itemsize * count
            cols = {p[0]: data[p[0]].astype(np.float64) for p in props}
        elif fmt == "ascii" and scalar:
            k = len(props)
            arr = np.array(tokens[t:t + k * count], np.float64).reshape(count, k)
            t += k * count
            cols = {p[0]: arr[:, i] for i, p in enumerate(props)}
        else:  # elements with lists (faces): read row by row
            cols, lists = {}, []
            for _ in range(count):
                for p in props:
                    if len(p) == 3:
                        if fmt == "ascii":
                            n = int(tokens[t])
                            lists.append(np.array(tokens[t + 1:t + 1 + n], np.int64))
                            t += 1 + n
                        else:
                            n = int(np.frombuffer(raw, end + p[1], 1, pos)[0])
                            pos += np.dtype(p[1]).itemsize
                            lists.append(np.frombuffer(raw, end + p[2], n, pos).astype(np.int64))
                            pos += np.dtype(p[2]).itemsize * n
                    elif fmt == "ascii":
                        t += 1
                    else:
                        pos += np.dtype(p[1]).itemsize
            if name == "face":
                out["faces"] = _fan(lists)
            continue
        if name == "vertex":
            out["vertices"] = np.stack([cols["x"], cols["y"], cols["z"]], 1)
            if all(k in cols for k in ("nx", "ny", "nz")):
                out["normals"] = np.stack([cols["nx"], cols["ny"], cols["nz"]], 1)
    if "vertices" not in out:
        raise ValueError(f"{path}: PLY without a vertex element")
    return out


def _fan(polys: list[np.ndarray]) -> np.ndarray:
    tris = [np.stack([np.full(len(p) - 2, p[0]), p[1:-1], p[2:]], 1) for p in polys if len(p) >= 3]
    return np.concatenate(tris).astype(np.int64) if tris else np.zeros((0, 3), np.int64)


def read_obj(path: str | os.PathLike) -> dict[str, np.ndarray]:
    verts, polys = [], []
    for line in Path(path).read_text(errors="replace").splitlines():
        w = line.split()
        if not w:
            continue
        if w[0] == "v":
            verts.append([float(x) for x in w[1:4]])
        elif w[0] == "f":
            idx = [int(x.split("/")[0]) for x in w[1:]]
            n = len(verts)
            polys.append(np.array([i - 1 if i > 0 else n + i for i in idx], np.int64))
    if not verts:
        raise ValueError(f"{path}: OBJ without vertices")
    return {"vertices": np.array(verts, np.float64), "faces": _fan(polys)}


_GLTF_COMPONENTS = {5120: "i1", 5121: "u1", 5122: "i2", 5123: "u2", 5125: "u4", 5126: "f4"}
_GLTF_SIZES = {"SCALAR": 1, "VEC2": 2, "VEC3": 3, "VEC4": 4, "MAT4": 16}


def _accessor(doc: dict, binary: bytes, i: int) -> np.ndarray:
    acc = doc["accessors"][i]
    view = doc["bufferViews"][acc["bufferView"]]
    k = _GLTF_SIZES[acc["type"]]
    dt = np.dtype("<" + _GLTF_COMPONENTS[acc["componentType"]])
    off = view.get("byteOffset", 0) + acc.get("byteOffset", 0)
    stride = view.get("byteStride", 0) or dt.itemsize * k
    n = acc["count"]
    rows = np.ndarray((n, k), dt, binary, off, (stride, dt.itemsize))
    return np.array(rows)


def _node_matrix(node: dict) -> np.ndarray:
    if "matrix" in node:
        return np.array(node["matrix"], np.float64).reshape(4, 4).T  # glTF stores column-major
    m = np.eye(4)
    x, y, z, w = node.get("rotation", [0, 0, 0, 1])
    m[:3, :3] = [[1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
                 [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
                 [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)]]
    m[:3, :3] *= np.array(node.get("scale", [1, 1, 1]))[None, :]
    m[:3, 3] = node.get("translation", [0, 0, 0])
    return m


def read_glb_mesh(path: str | os.PathLike) -> dict[str, np.ndarray]:
    from ..io.glb import read_glb

    doc, binary = read_glb(path)
    nodes = doc.get("nodes", [])
    scene = doc.get("scenes", [{"nodes": list(range(len(nodes)))}])[doc.get("scene", 0)]
    vs, fs, base = [], [], 0
    stack = [(i, np.eye(4)) for i in scene.get("nodes", [])]
    while stack:
        i, parent = stack.pop()
        node = nodes[i]
        m = parent @ _node_matrix(node)
        stack += [(c, m) for c in node.get("children", [])]
        if "mesh" not in node:
            continue
        for prim in doc["meshes"][node["mesh"]]["primitives"]:
            if prim.get("mode", 4) != 4:
                continue
            v = _accessor(doc, binary, prim["attributes"]["POSITION"]).astype(np.float64)
            f = (_accessor(doc, binary, prim["indices"]).reshape(-1, 3) if "indices" in prim
                 else np.arange(len(v)).reshape(-1, 3)).astype(np.int64)
            vs.append(v @ m[:3, :3].T + m[:3, 3])
            fs.append(f + base)
            base += len(v)
    if not vs:
        raise ValueError(f"{path}: glTF without triangle meshes")
    return {"vertices": np.concatenate(vs), "faces": np.concatenate(fs)}


def read_mesh(path: str | os.PathLike) -> tuple[np.ndarray, np.ndarray]:
    """(vertices, faces) of a .ply, .obj or .glb mesh."""
    path = Path(path)
    s = path.suffix.lower()
    if s == ".ply":
        d = read_ply(path)
    elif s == ".obj":
        d = read_obj(path)
    elif s == ".glb":
        d = read_glb_mesh(path)
    else:
        raise ValueError(f"{path}: unknown mesh format {s!r} (use {', '.join(MESH_SUFFIXES)})")
    v, f = d["vertices"], d["faces"]
    if len(f) == 0:
        raise ValueError(f"{path}: the mesh has no faces")
    if f.min() < 0 or f.max() >= len(v):
        raise ValueError(f"{path}: face indices outside the {len(v)} vertices")
    return v, f


def read_points(path: str | os.PathLike) -> tuple[np.ndarray, np.ndarray | None]:
    """(points (N, 3), normals (N, 3) or None) of a point set file.

    .npy: (N, 3) points or (N, 6) points and normals. .npz: the first of the keys
    ``points, xyz, coords, pos, positions, pointcloud, point_cloud, vertices`` (or the only
    array), normals from ``normals, normal, nxyz``. .ply: the vertices (and their normals).
    .xyz/.txt: whitespace columns x y z [nx ny nz].
    """
    path = Path(path)
    s = path.suffix.lower()
    normals = None
    if s == ".npy":
        a = np.load(path, allow_pickle=False)
    elif s == ".npz":
        z = np.load(path, allow_pickle=False)
        key = next((k for k in POINT_KEYS if k in z.files), z.files[0] if len(z.files) == 1 else None)
        if key is None:
            raise ValueError(f"{path}: no point array (keys {', '.join(z.files)}; expected one of "
                             f"{', '.join(POINT_KEYS)})")
        a = z[key]
        nk = next((k for k in NORMAL_KEYS if k in z.files), None)
        normals = None if nk is None else np.asarray(z[nk], np.float64).reshape(-1, 3)
    elif s == ".ply":
        d = read_ply(path)
        a, normals = d["vertices"], d.get("normals")
    elif s in (".xyz", ".txt"):
        a = np.loadtxt(path, ndmin=2)
    else:
        raise ValueError(f"{path}: unknown point-set format {s!r} (use {', '.join(POINT_SUFFIXES)})")
    a = np.asarray(a, np.float64)
    if a.ndim != 2 or a.shape[1] not in (3, 6):
        raise ValueError(f"{path}: expected an (N, 3) or (N, 6) point array, got {a.shape}")
    if a.shape[1] == 6:
        a, normals = a[:, :3], a[:, 3:]
    if len(a) == 0 or not np.isfinite(a).all():
        raise ValueError(f"{path}: the point set is empty or holds non-finite values")
    if normals is not None and normals.shape != a.shape:
        raise ValueError(f"{path}: {len(normals)} normals for {len(a)} points")
    return a, normals
