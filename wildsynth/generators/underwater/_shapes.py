"""Meshing helpers the sea-life families share: implicit skins of segment sets, swept grids, checks."""

from __future__ import annotations

import numpy as np
from numba import njit
from scipy.ndimage import gaussian_filter
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree
from skimage.measure import marching_cubes

from ...core.mesh import Mesh
from ..plants.geometry import drop_degenerate


@njit(cache=True)
def _segments_sdf(field, origin, h, a, b, ra, rb, band):
    """Minimum over round cones (a->b, radii ra->rb) of the signed distance, written into ``field``
    inside each cone's bounding box grown by ``band``."""
    nx, ny, nz = field.shape
    for s in range(len(a)):
        rmax = max(ra[s], rb[s]) + band
        lo = np.empty(3, np.int64)
        hi = np.empty(3, np.int64)
        for d in range(3):
            m = min(a[s, d], b[s, d]) - rmax
            x = max(a[s, d], b[s, d]) + rmax
            lo[d] = max(int(np.floor((m - origin[d]) / h)), 0)
            hi[d] = min(int(np.ceil((x - origin[d]) / h)) + 1, field.shape[d])
        ab = b[s] - a[s]
        ll = ab[0] * ab[0] + ab[1] * ab[1] + ab[2] * ab[2]
        for i in range(lo[0], hi[0]):
            px = origin[0] + i * h - a[s, 0]
            for j in range(lo[1], hi[1]):
                py = origin[1] + j * h - a[s, 1]
                for k in range(lo[2], hi[2]):
                    pz = origin[2] + k * h - a[s, 2]
                    t = (px * ab[0] + py * ab[1] + pz * ab[2]) / ll if ll > 0 else 0.0
                    t = min(max(t, 0.0), 1.0)
                    dx, dy, dz = px - t * ab[0], py - t * ab[1], pz - t * ab[2]
                    dist = np.sqrt(dx * dx + dy * dy + dz * dz) - (ra[s] + t * (rb[s] - ra[s]))
                    if dist < field[i, j, k]:
                        field[i, j, k] = dist
    return field


def implicit_skin(a: np.ndarray, b: np.ndarray, ra: np.ndarray, rb: np.ndarray, voxel: float,
                  blur: float = 0.8, floor: float | None = 0.0, max_cells: int = 160,
                  hollows: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None) -> Mesh:
    """One closed surface around the union of round cones, by marching cubes.

    Radii below 1.2 voxels are raised to it (no part thinner than the grid can carry, so a
    connected skeleton gives one connected surface); ``blur`` (voxels) fillets the joints;
    ``floor`` cuts the solid flat at that height (a base). ``voxel`` grows when the grid would
    exceed ``max_cells`` along an axis. ``hollows`` (starts, ends, radii) are capsules carved out
    (the cups at tube tips). Attribute ``radius``: the local branch radius."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    lo = np.minimum(a - ra[:, None], b - rb[:, None]).min(0)
    hi = np.maximum(a + ra[:, None], b + rb[:, None]).max(0)
    voxel = max(voxel, float((hi - lo).max()) / (max_cells - 8))
    ra, rb = np.maximum(ra, 1.2 * voxel), np.maximum(rb, 1.2 * voxel)
    lo = np.minimum(a - ra[:, None], b - rb[:, None]).min(0) - 4 * voxel
    hi = np.maximum(a + ra[:, None], b + rb[:, None]).max(0) + 4 * voxel
    shape = tuple(int(np.ceil(x)) + 1 for x in (hi - lo) / voxel)
    band = 3.0 * voxel
    field = np.full(shape, band)
    _segments_sdf(field, lo, voxel, a, b, ra.astype(np.float64), rb.astype(np.float64), band)
    if hollows is not None:
        ha, hb, hr = (np.asarray(x, np.float64) for x in hollows)
        hr = np.maximum(hr, voxel)
        hole = _segments_sdf(np.full(shape, band), lo, voxel, ha, hb, hr, hr, band)
        field = np.maximum(field, -hole)
    if blur > 0:
        field = gaussian_filter(field, blur)
    if floor is not None:
        z = lo[2] + voxel * np.arange(shape[2])
        field = np.maximum(field, (floor - z)[None, None, :])
    field[0], field[-1], field[:, 0], field[:, -1], field[:, :, 0], field[:, :, -1] = (band,) * 6
    v, f, _, _ = marching_cubes(field, 0.0, spacing=(voxel, voxel, voxel))
    v = v + lo
    mesh = drop_specks(weld(Mesh(v, f[:, ::-1].copy())), 2.0 * voxel)
    mesh = drop_degenerate(mesh, 1e-12 * voxel * voxel)
    mesh = outward(mesh)
    # the nearest segment's radius at each vertex (for materials: thin tips lighter)
    mid = 0.5 * (a + b)
    _, idx = cKDTree(mid).query(mesh.vertices)
    mesh.attributes["radius"] = (0.5 * (ra + rb))[idx].astype(np.float32)
    return mesh


def weld(mesh: Mesh, tol: float = 1e-7) -> Mesh:
    """Merge coincident vertices; drop faces that collapse."""
    q = np.round(mesh.vertices.astype(np.float64) / tol).astype(np.int64)
    _, first, inv = np.unique(q, axis=0, return_index=True, return_inverse=True)
    inv = inv.ravel()
    f = inv[mesh.faces]
    ok = (f[:, 0] != f[:, 1]) & (f[:, 1] != f[:, 2]) & (f[:, 0] != f[:, 2])
    return Mesh(mesh.vertices[first], f[ok], {k: x[first] for k, x in mesh.attributes.items()}, mesh.smooth)


def drop_specks(mesh: Mesh, size: float) -> Mesh:
    """Remove connected pieces whose bounding box is smaller than ``size`` on every axis
    (sub-voxel bubbles marching cubes leaves where the blurred field dips through zero)."""
    n, lab = _labels(mesh)
    if n == 1:
        return mesh
    v = mesh.vertices
    lo = np.full((n, 3), np.inf)
    hi = np.full((n, 3), -np.inf)
    np.minimum.at(lo, lab, v)
    np.maximum.at(hi, lab, v)
    keep_piece = (hi - lo).max(axis=1) >= size
    keep_v = keep_piece[lab]
    remap = np.cumsum(keep_v) - 1
    f = mesh.faces[keep_v[mesh.faces[:, 0]]]
    return Mesh(v[keep_v], remap[f], {k: a[keep_v] for k, a in mesh.attributes.items()}, mesh.smooth)


def signed_volume(mesh: Mesh) -> float:
    v = mesh.vertices.astype(np.float64)
    a, b, c = v[mesh.faces[:, 0]], v[mesh.faces[:, 1]], v[mesh.faces[:, 2]]
    return float(np.einsum("ij,ij->i", a, np.cross(b, c)).sum() / 6.0)


def outward(mesh: Mesh) -> Mesh:
    """Flip a closed mesh whose faces wind inward (negative signed volume)."""
    if signed_volume(mesh) < 0:
        mesh.faces = mesh.faces[:, ::-1].copy()
    return mesh


def components(mesh: Mesh) -> int:
    """Number of vertex-connected pieces."""
    return _labels(mesh)[0]


def _labels(mesh: Mesh) -> tuple[int, np.ndarray]:
    f = mesh.faces
    n = len(mesh.vertices)
    g = coo_matrix((np.ones(2 * len(f)), (np.concatenate([f[:, 0], f[:, 1]]), np.concatenate([f[:, 1], f[:, 2]]))),
                   shape=(n, n))
    k, lab = connected_components(g, directed=False)
    return int(k), lab


def grid_faces(n_rows: int, n_cols: int, wrap_cols: bool = True, offset: int = 0) -> np.ndarray:
    """Two triangles per quad of a row-major (n_rows, n_cols) vertex grid; columns wrap when closed.
    Counter-clockwise when rows run along +u and columns along +v with u x v pointing out."""
    cols = n_cols if wrap_cols else n_cols - 1
    i = np.arange(n_rows - 1)[:, None]
    j = np.arange(cols)[None, :]
    jn = (j + 1) % n_cols
    a, b = i * n_cols + j, i * n_cols + jn
    c, d = (i + 1) * n_cols + jn, (i + 1) * n_cols + j
    return offset + np.concatenate([np.stack([a, d, c], -1).reshape(-1, 3), np.stack([a, c, b], -1).reshape(-1, 3)])


def cap(ring: np.ndarray, centre: int, reverse: bool = False) -> np.ndarray:
    """A fan of triangles closing a ring of vertex indices around vertex ``centre``."""
    r = np.asarray(ring)
    f = np.stack([r, np.roll(r, -1), np.full(len(r), centre)], -1)
    return f[:, ::-1].copy() if reverse else f


def unit01(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, np.float64)
    lo, hi = float(x.min()), float(x.max())
    return ((x - lo) / max(hi - lo, 1e-12)).astype(np.float32)


def mesh_problems(mesh: Mesh, closed: bool = False) -> list[str]:
    """What is wrong with a mesh: non-finite values, degenerate faces, inconsistent winding
    (an edge used twice in the same direction), and, if ``closed``, boundary edges."""
    bad = []
    v, f = mesh.vertices.astype(np.float64), mesh.faces
    if not len(f):
        return ["no faces"]
    if not np.isfinite(v).all():
        bad.append("non-finite vertices")
    for k, a in mesh.attributes.items():
        if not np.isfinite(a).all():
            bad.append(f"non-finite attribute {k}")
    area = 0.5 * np.linalg.norm(np.cross(v[f[:, 1]] - v[f[:, 0]], v[f[:, 2]] - v[f[:, 0]]), axis=1)
    scale = float(np.ptp(v, axis=0).max())
    if (area <= 1e-14 * scale * scale).any():
        bad.append(f"{int((area <= 1e-14 * scale * scale).sum())} degenerate faces")
    if ((f[:, 0] == f[:, 1]) | (f[:, 1] == f[:, 2]) | (f[:, 0] == f[:, 2])).any():
        bad.append("faces with a repeated vertex")
    e = np.concatenate([f[:, [0, 1]], f[:, [1, 2]], f[:, [2, 0]]]).astype(np.int64)
    key = e[:, 0] * (len(v) + 1) + e[:, 1]
    _, cnt = np.unique(key, return_counts=True)
    if (cnt > 1).any():
        bad.append(f"{int((cnt > 1).sum())} directed edges used twice (inconsistent winding)")
    if closed:
        und = np.sort(e, axis=1)
        _, c2 = np.unique(und[:, 0] * (len(v) + 1) + und[:, 1], return_counts=True)
        if (c2 != 2).any():
            bad.append(f"{int((c2 != 2).sum())} edges not shared by exactly two faces")
    return bad
