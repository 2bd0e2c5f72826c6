"""Trees and bushes: grown skeletons, pipe-model radii, barked tubes, leaf instances.

Broadleaf, birch, dead trees, saplings and bushes grow by space colonisation:
attraction points fill a crown envelope, the nearest branch tip within the
influence radius grows one step towards the mean direction of its
attractors, attractors within the kill distance are consumed. Conifers grow
by rule (whorls of drooping branches with side shoots, shorter towards the
top); palms are a curved trunk with a crown of fronds. Radii follow the pipe
model from the twigs down. Leaves are transforms in the tree's frame for one
leaf mesh (``leaves.py``), so a scene places them as instances carrying the
tree's id.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field
from scipy.spatial import cKDTree

from ...core.mesh import Mesh
from .geometry import Skeleton, frames_matrix, pipe_radii, skin
from .leaves import cluster, leaf

Species = Literal["broadleaf", "oak", "maple", "birch", "conifer", "palm", "dead", "sapling", "bush", "dry_shrub"]
SPECIES: tuple[str, ...] = ("broadleaf", "oak", "maple", "birch", "conifer", "palm", "dead", "sapling", "bush",
                            "dry_shrub")
Season = Literal["summer", "autumn", "winter"]
CLUSTER = 5  # leaves per twig cluster instance


class TreeParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    species: Species = Field("broadleaf", description="growth form and leaf shape")
    height: float = Field(12.0, gt=0.3, le=60.0, description="typical tree height, m (varied per tree)")
    season: Season = Field("summer", description="leaf state: summer green, autumn colours, winter bare")
    leaf_density: float = Field(1.0, ge=0.0, le=3.0, description="leaves per twig relative to the species default")
    leaf_size: float = Field(1.0, gt=0.2, le=3.0, description="leaf size relative to the species default")
    detail: float = Field(1.0, ge=0.2, le=2.0, description="attraction points / branch count relative to default")
    bark: float = Field(1.0, ge=0.0, le=3.0, description="bark furrow depth relative to default")


@dataclass
class TreeModel:
    """One tree in its own frame (base at the origin, +Z up)."""

    wood: Mesh
    skeleton: Skeleton
    leaf_mesh: Mesh | None
    leaves: np.ndarray  # (L, 4, 4) leaf (or leaf-cluster, needle-spray, frond) transforms in the tree frame
    leaf_kind: str  # material family: broadleaf, birch, needle, palm
    height: float
    crown_radius: float
    trunk_radius: float


_PRESETS = {
    # crown width / height, crown base / height, attractors, step / height, leaf shape, leaf size (m), leaves/twig
    "broadleaf": dict(width=0.75, base=0.3, attractors=900, step=0.035, leaf="ovate", leaf_m=0.15, per=9, up=0.15),
    "oak": dict(width=0.9, base=0.25, attractors=900, step=0.035, leaf="lobed", leaf_m=0.16, per=9, up=0.05),
    "maple": dict(width=0.7, base=0.3, attractors=900, step=0.035, leaf="palmate", leaf_m=0.17, per=8, up=0.2),
    "birch": dict(width=0.4, base=0.3, attractors=700, step=0.03, leaf="serrated", leaf_m=0.1, per=10, up=-0.15),
    "dead": dict(width=0.7, base=0.3, attractors=250, step=0.04, leaf=None, leaf_m=0.0, per=0, up=0.2),
    "sapling": dict(width=0.6, base=0.35, attractors=180, step=0.06, leaf="ovate", leaf_m=0.1, per=8, up=0.2),
    "bush": dict(width=1.5, base=0.05, attractors=500, step=0.06, leaf="ovate", leaf_m=0.08, per=8, up=0.1),
    # a dead desert shrub (bursage, brittlebush, tumbleweed): many stems from the root crown, a dense
    # tangle of bare, grey twigs in a low dome
    "dry_shrub": dict(width=1.6, base=0.0, attractors=900, step=0.04, leaf=None, leaf_m=0.0, per=0, up=0.05),
}


def _unit(v):
    return v / np.maximum(np.linalg.norm(v, axis=-1, keepdims=True), 1e-12)


def colonise(attractors: np.ndarray, pos: list, parent: list, step: float, influence: float, kill: float,
             tropism: np.ndarray, rng: np.random.Generator, iterations: int = 200) -> tuple[np.ndarray, np.ndarray]:
    """Space colonisation from the given nodes; returns (positions, parents) with parent < child."""
    P = np.asarray(pos, dtype=np.float64)
    par = np.asarray(parent, dtype=np.int64)
    A = np.asarray(attractors, dtype=np.float64)
    growable = np.ones(len(P), dtype=bool)
    for _ in range(iterations):
        if len(A) == 0:
            break
        tree = cKDTree(P)
        d, idx = tree.query(A, distance_upper_bound=influence)
        ok = np.isfinite(d)
        if not ok.any():
            break
        idx, a = idx[ok], A[ok]
        acc = np.zeros_like(P)
        np.add.at(acc, idx, _unit(a - P[idx]))
        grow = np.flatnonzero((np.linalg.norm(acc, axis=1) > 1e-9) & growable)
        if len(grow) == 0:
            break
        dirs = _unit(_unit(acc[grow]) + tropism + rng.normal(0, 0.08, (len(grow), 3)))
        new = P[grow] + dirs * step
        # no coincident nodes (two attractors pulling both ways)
        dn, _ = tree.query(new)
        fresh = dn > 0.5 * step
        if not fresh.any():
            break
        grow, new = grow[fresh], new[fresh]
        P = np.concatenate([P, new])
        par = np.concatenate([par, grow])
        growable = np.concatenate([growable, np.ones(len(new), dtype=bool)])
        # consume attractors reached by the new nodes
        dk, _ = cKDTree(new).query(A, distance_upper_bound=kill)
        A = A[~np.isfinite(dk)]
    return P, par


def _trunk(height: float, step: float, rng: np.random.Generator, lean: float = 0.03) -> np.ndarray:
    n = max(int(height / step), 2)
    z = np.linspace(0.0, height, n + 1)
    wob = np.cumsum(rng.normal(0, lean * step, (n + 1, 2)), axis=0)
    wob -= wob[0]
    return np.stack([wob[:, 0], wob[:, 1], z], -1)


def _ellipsoid_points(n: int, centre, radii, rng, top_heavy: float = 0.0) -> np.ndarray:
    p = rng.normal(0, 1, (n * 2, 3))
    p = _unit(p) * rng.uniform(0, 1, (n * 2, 1)) ** (1 / 3)
    if top_heavy:
        keep = rng.uniform(0, 1, len(p)) < 0.5 + top_heavy * p[:, 2]
        p = p[keep]
    return (p[:n] * radii + centre)


def _grow_colonised(sp: str, H: float, params: TreeParams, rng: np.random.Generator) -> tuple[Skeleton, float]:
    pr = _PRESETS[sp]
    step = pr["step"] * H
    W = pr["width"] * H
    base = pr["base"] * H
    n_att = int(pr["attractors"] * params.detail)
    if sp in ("bush", "dry_shrub"):
        stems = int(rng.integers(3, 7)) if sp == "bush" else int(rng.integers(6, 11))
        pos, parent = [], []
        for s in range(stems):
            ang = rng.uniform(0, 2 * np.pi)
            lean = 0.1 if sp == "bush" else rng.uniform(0.15, 0.35)  # a shrub's stems splay out
            # a bush's stems keep their old fixed height (no extra draw: its meshes stay as they were)
            top = 0.25 * H if sp == "bush" else rng.uniform(0.2, 0.3) * H
            tip = np.array([np.cos(ang) * lean * H, np.sin(ang) * lean * H, top])
            k = 4
            for j in range(k + 1):
                pos.append(tip * j / k)
                parent.append(-1 if j == 0 else len(pos) - 2)
        if sp == "bush":
            att = _ellipsoid_points(n_att, [0, 0, 0.5 * H], [W / 2, W / 2, 0.5 * H], rng)
        else:  # a dome, denser towards its skin (the twigs of a dead shrub reach its outline)
            att = _ellipsoid_points(n_att, [0, 0, 0.35 * H], [W / 2, W / 2, 0.65 * H], rng)
            r = np.linalg.norm((att - [0, 0, 0.35 * H]) / [W / 2, W / 2, 0.65 * H], axis=1)
            att = att[rng.uniform(0, 1, len(att)) < 0.25 + r]
        att = att[att[:, 2] > 0.1 * H]
    else:
        trunk_h = base + 0.15 * (H - base)
        t = _trunk(trunk_h, step, rng)
        pos, parent = list(t), [-1] + list(range(len(t) - 1))
        cz = base + 0.5 * (H - base)
        att = _ellipsoid_points(n_att, [0, 0, cz], [W / 2, W / 2, 0.5 * (H - base)], rng,
                                top_heavy=0.3 if sp == "birch" else 0.0)
    trop = np.array([0.0, 0.0, pr["up"]])
    P, par = colonise(att, pos, parent, step, influence=6 * step, kill=1.6 * step, tropism=trop, rng=rng)
    if sp in ("dead", "dry_shrub"):  # broken: drop random twig ends (whole sub-branches go with them)
        P, par = _prune(P, par, rng, 0.35 if sp == "dead" else 0.2)
    tip_r = {"bush": 0.003 * H, "dry_shrub": 0.004 * H}.get(sp, 0.004 * H)
    rad = pipe_radii(par, tip_r, 2.4)
    return Skeleton(P, par, rad), W / 2


def _prune(P: np.ndarray, par: np.ndarray, rng, frac: float) -> tuple[np.ndarray, np.ndarray]:
    """Remove random nodes with all their descendants, keep the trunk base."""
    n = len(P)
    dead = rng.uniform(0, 1, n) < frac * 0.06
    dead[: max(3, n // 50)] = False
    for i in range(n):
        if par[i] >= 0 and dead[par[i]]:
            dead[i] = True
    keep = np.flatnonzero(~dead)
    remap = np.full(n, -1)
    remap[keep] = np.arange(len(keep))
    return P[keep], np.where(par[keep] >= 0, remap[np.maximum(par[keep], 0)], -1)


def _grow_conifer(H: float, params: TreeParams, rng: np.random.Generator) -> tuple[Skeleton, float]:
    step = 0.03 * H
    trunk = _trunk(H, step, rng, lean=0.01)
    pos, parent = list(trunk), [-1] + list(range(len(trunk) - 1))
    crown_base = rng.uniform(0.12, 0.3) * H
    W = rng.uniform(0.28, 0.4) * H
    whorl_dz = H / (14 * params.detail + 4)
    z = crown_base
    while z < H * 0.95:
        rel = (z - crown_base) / (H - crown_base)
        length = W * (1.0 - rel) ** 0.9 * rng.uniform(0.8, 1.1) + 0.03 * H
        k0 = min(int(z / H * (len(trunk) - 1)), len(trunk) - 1)
        for a in rng.uniform(0, 2 * np.pi) + np.arange(int(rng.integers(4, 7))) * 2 * np.pi / 5:
            a += rng.normal(0, 0.2)
            d = np.array([np.cos(a), np.sin(a), 0.0])
            nseg = max(int(length / step), 2)
            prev = k0
            for s in range(1, nseg + 1):
                f = s / nseg
                droop = -0.35 * f + 0.25 * f**3  # sag, tip curls up
                p = trunk[k0] + d * length * f + np.array([0, 0, length * droop * 0.4])
                pos.append(p)
                parent.append(prev)
                prev = len(pos) - 1
                if s % 2 == 0 and s < nseg:  # side shoots in the branch plane
                    side = np.cross(d, [0, 0, 1.0]) * (1 if s % 4 else -1)
                    sl = length * (1 - f) * 0.35 + 0.02 * H
                    q = p
                    sp_prev = prev
                    for m in range(1, 3):
                        q = q + (side * 0.8 + d * 0.5) / np.linalg.norm(side * 0.8 + d * 0.5) * sl / 2
                        pos.append(q.copy())
                        parent.append(sp_prev)
                        sp_prev = len(pos) - 1
        z += whorl_dz * rng.uniform(0.8, 1.2)
    P = np.asarray(pos)
    par = np.asarray(parent)
    rad = pipe_radii(par, 0.0025 * H, 2.3)
    return Skeleton(P, par, rad), W


def _grow_palm(H: float, params: TreeParams, rng: np.random.Generator) -> tuple[Skeleton, float]:
    n = 24
    t = np.linspace(0, 1, n)
    bend = rng.uniform(0.05, 0.25) * H
    ang = rng.uniform(0, 2 * np.pi)
    off = bend * t**2
    P = np.stack([np.cos(ang) * off, np.sin(ang) * off, t * H], -1)
    par = np.arange(n) - 1
    r0 = 0.018 * H * rng.uniform(0.9, 1.2)
    rad = r0 * (1.0 - 0.35 * t) * (1.0 + 0.6 * np.exp(-t * 25))
    return Skeleton(P, par, rad), 0.35 * H


def _leaf_transforms(sk: Skeleton, sp: str, per_twig: float, size: float, rng) -> np.ndarray:
    """Leaves on the outer twigs: each near a thin node, facing up and out."""
    d = sk.depth_from_tip()
    rmax = np.quantile(sk.radius, 0.6)
    twig = np.flatnonzero((d <= 4) & (sk.parent >= 0) & (sk.radius <= rmax))
    if len(twig) == 0 or per_twig <= 0:
        return np.zeros((0, 4, 4))
    counts = rng.poisson(per_twig, len(twig))
    src = np.repeat(twig, counts)
    n = len(src)
    par = sk.parent[src]
    along = rng.uniform(0, 1, (n, 1))
    origin = sk.pos[par] + (sk.pos[src] - sk.pos[par]) * along
    branch = _unit(sk.pos[src] - sk.pos[par])
    out = _unit(rng.normal(0, 1, (n, 3)))
    out -= branch * np.sum(out * branch, axis=1, keepdims=True)
    y = _unit(_unit(out) + branch * 0.6 + np.array([0, 0, -0.15 if sp == "birch" else 0.1]))
    s = size * rng.uniform(0.75, 1.25, n)
    return frames_matrix(origin, y, np.array([0.0, 0.0, 1.0]) + rng.normal(0, 0.3, (n, 3)), s)


def _needle_transforms(sk: Skeleton, H: float, density: float, rng) -> np.ndarray:
    """Needle sprays along every branch segment outside the trunk."""
    d = sk.depth_from_tip()
    seg = np.flatnonzero((sk.parent >= 0) & (sk.radius < 0.5 * sk.radius.max()) & (d <= 6))
    counts = rng.poisson(4.0 * density, len(seg))
    src = np.repeat(seg, counts)
    n = len(src)
    par = sk.parent[src]
    origin = sk.pos[par] + (sk.pos[src] - sk.pos[par]) * rng.uniform(0, 1, (n, 1))
    branch = _unit(sk.pos[src] - sk.pos[par])
    side = _unit(np.cross(branch, rng.normal(0, 1, (n, 3))))
    y = _unit(branch * 0.6 + side * 0.8 + np.array([0, 0, 0.15]))
    s = 0.05 * H * rng.uniform(0.7, 1.2, n)
    return frames_matrix(origin, y, np.array([0.0, 0.0, 1.0]), s)


def _palm_fronds(sk: Skeleton, H: float, rng) -> np.ndarray:
    top = sk.pos[-1]
    n = int(rng.integers(9, 15))
    a = rng.uniform(0, 2 * np.pi) + np.arange(n) * 2.39996
    elev = rng.uniform(-0.2, 0.7, n)
    y = np.stack([np.cos(a) * np.cos(elev), np.sin(a) * np.cos(elev), np.sin(elev)], -1)
    s = 0.3 * H * rng.uniform(0.8, 1.1, n)
    return frames_matrix(np.repeat(top[None], n, 0), y, np.array([0.0, 0.0, 1.0]), s)


def grow_tree(params: TreeParams, rng: np.random.Generator, lod: int = 0) -> TreeModel:
    """One tree (or bush) of the given species; ``lod`` 1-2 gives coarser, cheaper copies.

    Coarser levels use fewer tube sides, drop the thinnest branches and keep a
    fraction of the leaves, enlarged so the crown keeps its coverage.
    """
    return grow_tree_lods(params, rng, (lod,))[0]


def grow_tree_lods(params: TreeParams, rng: np.random.Generator, lods=(0, 1, 2)) -> list[TreeModel]:
    """The same tree at several levels of detail (grown once)."""
    sp = params.species
    H = params.height * rng.uniform(0.8, 1.2)
    if sp == "sapling":
        H = min(H, 3.0) * rng.uniform(0.5, 1.0)
    if sp == "bush":
        H = min(H, 4.0)
    if sp == "dry_shrub":
        H = min(H, 1.5)
    if sp == "conifer":
        sk0, crown = _grow_conifer(H, params, rng)
    elif sp == "palm":
        sk0, crown = _grow_palm(H, params, rng)
    else:
        sk0, crown = _grow_colonised(sp, H, params, rng)
    leaf_rng = np.random.default_rng(rng.integers(2**63))
    thin_seed, bark_seed = int(rng.integers(2**63)), int(rng.integers(2**63))
    kind, leaf_mesh, leaves0 = "none", None, np.zeros((0, 4, 4))
    if sp == "conifer":
        kind, leaf_mesh = "needle", leaf("needles", leaf_rng)
        leaves0 = _needle_transforms(sk0, H, params.leaf_density, leaf_rng)
    elif sp == "palm":
        kind, leaf_mesh = "palm", leaf("frond", leaf_rng)
        leaves0 = _palm_fronds(sk0, H, leaf_rng)
    elif sp not in ("dead", "dry_shrub") and params.season != "winter":
        pr = _PRESETS[sp]
        kind = "birch" if sp == "birch" else "broadleaf"
        leaf_mesh = cluster(leaf(pr["leaf"], leaf_rng), leaf_rng, count=CLUSTER)
        leaves0 = _leaf_transforms(sk0, sp, pr["per"] * params.leaf_density,
                                   pr["leaf_m"] * params.leaf_size / 0.45, leaf_rng)
    bark = 0.12 * params.bark * (0.3 if sp in ("birch", "palm") else 1.0)
    out = []
    for lod in lods:
        # level of detail: prune twigs, thin leaves (scaled up to keep coverage)
        lod = min(int(lod), 2)
        sk, leaves = sk0, leaves0
        if lod > 0:
            keep_frac = 0.5 if lod == 1 else 0.2
            if len(leaves):
                keep = np.random.default_rng(thin_seed).uniform(0, 1, len(leaves)) < keep_frac
                leaves = leaves[keep].copy()
                leaves[:, :3, :3] *= 1.0 / np.sqrt(keep_frac)
            thin = sk.radius < np.quantile(sk.radius, 0.35 if lod == 1 else 0.6)
            keep_nodes = ~thin | (sk.parent < 0)
            for i in range(len(sk)):  # a kept node needs its parent kept
                if keep_nodes[i] and sk.parent[i] >= 0 and not keep_nodes[sk.parent[i]]:
                    keep_nodes[i] = False
            idx = np.flatnonzero(keep_nodes)
            remap = np.full(len(sk), -1)
            remap[idx] = np.arange(len(idx))
            p = sk.parent[idx]
            sk = Skeleton(sk.pos[idx], np.where(p >= 0, remap[np.maximum(p, 0)], -1), sk.radius[idx])
        wood = skin(sk, sides={0: 8, 1: 6, 2: 4}[lod], bark=bark if lod < 2 else 0.0, bark_scale=6.0 / max(H, 1) * 4,
                    rng=np.random.default_rng(bark_seed))
        out.append(TreeModel(wood, sk, leaf_mesh, leaves.astype(np.float32), kind, H, crown, float(sk.radius[0])))
    return out


_BARK = {"birch": "birch", "conifer": "conifer", "palm": "palm", "dead": "dead", "dry_shrub": "dead"}


def bark_kind(species: str) -> str:
    """The bark material kind of a species (the broadleaf bark unless it has its own)."""
    return _BARK.get(species, "broadleaf")


def foliage_mesh(model: TreeModel, rng: np.random.Generator | None = None) -> Mesh | None:
    """All of a tree's leaves (clusters, sprays, fronds) as one mesh in the tree's frame.

    Scenes instance this once per tree rather than placing every cluster as
    its own instance: a few hundred large instances instead of hundreds of
    thousands of small overlapping ones make the renderer's instance BVH far
    cheaper to traverse. Each cluster keeps a random value in the per-vertex
    attribute ``vary`` (0..1) so leaf colours still differ cluster by cluster.
    """
    if model.leaf_mesh is None or len(model.leaves) == 0:
        return None
    rng = rng if rng is not None else np.random.default_rng(len(model.leaves))
    lv = model.leaf_mesh.vertices.astype(np.float64)
    T = model.leaves.astype(np.float64)
    v = np.einsum("lij,vj->lvi", T[:, :3, :3], lv) + T[:, None, :3, 3]
    L, V = len(T), len(lv)
    f = (model.leaf_mesh.faces[None] + (np.arange(L) * V)[:, None, None]).reshape(-1, 3)
    attrs = {k: np.tile(a, (L,) + (1,) * (a.ndim - 1)) for k, a in model.leaf_mesh.attributes.items()}
    attrs["vary"] = np.repeat(rng.uniform(0, 1, L), V).astype(np.float32)
    return Mesh(v.reshape(-1, 3), f, attrs)
