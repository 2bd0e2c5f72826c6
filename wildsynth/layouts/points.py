"""Point clouds sampled from the exact depth, coloured from the RGB: initial points for NeRF and 3DGS.

Each view contributes the surface points of a regular pixel grid (the same
pixels every time: deterministic, no random draws), back-projected from its
z-depth through its pixel centre (u + 0.5, v + 0.5) into the world. Sky, depth
beyond ``max_depth`` and pixels whose surface point moves (a static
reconstruction cannot hold them: falling leaves, swaying plants whose scene
flow to a neighbouring frame exceeds ``tolerance`` metres) are left out (scene flow above ``tolerance`` metres per frame). Normals come from ``normal.exr`` (camera axes -> world) when the run
wrote it, else they are 0.

PLY: ``binary_little_endian 1.0``, one ``vertex`` element with float32
``x y z nx ny nz`` and uint8 ``red green blue`` (what 3DGS's ``fetchPly`` and
nerfstudio's Open3D reader take).
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

import numpy as np

from ..io.atomic import atomic_path
from ..io.pfm import read_pfm
from .source import View, _exr

PLY_DTYPE = np.dtype([("x", "<f4"), ("y", "<f4"), ("z", "<f4"), ("nx", "<f4"), ("ny", "<f4"), ("nz", "<f4"),
                      ("red", "u1"), ("green", "u1"), ("blue", "u1")])


@dataclass
class Points:
    xyz: np.ndarray  # (N, 3) float64, world
    rgb: np.ndarray  # (N, 3) uint8
    normal: np.ndarray  # (N, 3) float32, world (0 where unknown)
    image: np.ndarray  # (N,) int: index of the view it was sampled in
    uv: np.ndarray  # (N, 2) float64: its pixel centre in that view


def static_mask(view: View, moving: np.ndarray, tolerance: float = 0.01) -> np.ndarray:
    """True where the pixel's surface point stays put: its scene flow to the next and the previous frame
    (``scene_flow_*.exr`` or ``.pfm``) is at most ``tolerance`` metres; without scene flow files (stills,
    runs without exr/pfm), where its instance id is not among the ``moving`` ids."""
    still = None
    for key in ("fwd", "bwd"):
        if view.has(f"scene_flow_{key}.exr"):
            sf = _exr(view.path(f"scene_flow_{key}.exr"), "X", "Y", "Z")
        elif view.has(f"scene_flow_{key}.pfm"):
            sf = read_pfm(view.path(f"scene_flow_{key}.pfm"))
        else:
            continue
        ok = ~(np.linalg.norm(np.nan_to_num(sf), axis=-1) > tolerance)
        still = ok if still is None else still & ok
    if still is not None:
        return still
    instance = view.instance()
    return ~np.isin(instance, moving) if len(moving) else np.ones(instance.shape, bool)


def sample_points(views: list[View], moving: np.ndarray, max_points: int = 100_000,
                  max_depth: float = 1000.0, tolerance: float = 0.01) -> Points:
    """About ``max_points`` surface points over ``views`` (module docstring)."""
    if not views:
        raise ValueError("no views to sample points from")
    cam0 = views[0].camera()
    step = max(1, math.ceil(math.sqrt(cam0.width * cam0.height * len(views) / max(max_points, 1))))
    parts = []
    for k, v in enumerate(views):
        cam, depth = v.camera(), v.depth()
        ii, jj = np.mgrid[step // 2:cam.height:step, step // 2:cam.width:step]
        z = depth[ii, jj]
        keep = np.isfinite(z) & (z > 0) & (z <= max_depth) & static_mask(v, moving, tolerance)[ii, jj]
        i, j, z = ii[keep], jj[keep], z[keep]
        u, vv = j + 0.5, i + 0.5
        pc = np.stack([(u - cam.K[0, 2]) / cam.K[0, 0] * z, (vv - cam.K[1, 2]) / cam.K[1, 1] * z, z], -1)
        r = cam.cam_to_world[:3, :3]
        xyz = pc @ r.T + cam.cam_to_world[:3, 3]
        if v.has("normal.exr"):
            normal = (_exr(v.path("normal.exr"), "X", "Y", "Z")[i, j] @ r.T).astype(np.float32)
        else:
            normal = np.zeros((len(z), 3), np.float32)
        parts.append(Points(xyz, v.rgb()[i, j], normal, np.full(len(z), k), np.stack([u, vv], -1).astype(float)))
    pts = Points(*(np.concatenate([getattr(p, f) for p in parts]) for f in ("xyz", "rgb", "normal", "image", "uv")))
    if len(pts.xyz) > max_points:  # evenly thinned to the cap
        idx = np.linspace(0, len(pts.xyz) - 1, max_points).round().astype(int)
        pts = Points(pts.xyz[idx], pts.rgb[idx], pts.normal[idx], pts.image[idx], pts.uv[idx])
    return pts


def write_ply(path: str | os.PathLike, xyz: np.ndarray, rgb: np.ndarray, normal: np.ndarray | None = None) -> None:
    data = np.zeros(len(xyz), PLY_DTYPE)
    for k, c in enumerate("xyz"):
        data[c] = xyz[:, k]
        data[f"n{c}"] = 0 if normal is None else normal[:, k]
    for k, c in enumerate(("red", "green", "blue")):
        data[c] = rgb[:, k]
    props = "".join(f"property {'float' if PLY_DTYPE[n].kind == 'f' else 'uchar'} {n}\n" for n in PLY_DTYPE.names)
    header = f"ply\nformat binary_little_endian 1.0\nelement vertex {len(data)}\n{props}end_header\n"
    with atomic_path(path) as tmp:
        tmp.write_bytes(header.encode("ascii") + data.tobytes())


def read_ply(path: str | os.PathLike) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(xyz float32, rgb uint8, normal float32) of a PLY written by ``write_ply``."""
    raw = open(path, "rb").read()
    end = raw.index(b"end_header\n") + len(b"end_header\n")
    head = raw[:end].decode("ascii").splitlines()
    if head[0] != "ply" or "format binary_little_endian 1.0" not in head:
        raise ValueError(f"{path}: not a binary little-endian PLY")
    n = int(next(h for h in head if h.startswith("element vertex")).split()[-1])
    names = [h.split()[-1] for h in head if h.startswith("property")]
    if names != list(PLY_DTYPE.names):
        raise ValueError(f"{path}: unexpected PLY properties {names}")
    data = np.frombuffer(raw[end:end + n * PLY_DTYPE.itemsize], PLY_DTYPE)
    return (np.stack([data[c] for c in "xyz"], -1), np.stack([data[c] for c in ("red", "green", "blue")], -1),
            np.stack([data[f"n{c}"] for c in "xyz"], -1))
