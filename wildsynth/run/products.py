"""Every ground-truth product of one camera at one output frame, from raw passes (numpy only)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..core.camera import Camera
from ..core.motion import MotionSet
from ..gt import normals_to_camera, semantic_from_instance
from ..gt.boundaries import occlusion_boundaries
from ..gt.boxes import Boxes3D, boxes_2d
from ..gt.flow import Correspondence, correspond, disparity_from_depth, world_points
from ..gt.panoptic import panoptic_ids
from ..render.base import GTPasses, RGBPass


@dataclass
class View:
    """One camera at one time: its raw passes (RGB only at output frames)."""

    camera: Camera
    passes: GTPasses
    rgb: RGBPass | None = None


@dataclass
class ViewProducts:
    """What is written for one view (``fwd``/``bwd`` only in shots with flow, ``disparity`` in stereo)."""

    camera: Camera
    rgb: RGBPass
    passes: GTPasses
    normal: np.ndarray
    semantic: np.ndarray
    panoptic: np.ndarray
    segments_info: list
    boxes_2d: list
    boxes_3d: list
    boundaries: np.ndarray
    fwd: Correspondence | None = None
    bwd: Correspondence | None = None
    disparity: np.ndarray | None = None
    disparity_valid: np.ndarray | None = None
    other_camera: Camera | None = None  # stereo: the rig's other camera


def _deltas_by_id(motions: MotionSet, t: float) -> dict[int, np.ndarray]:
    ids, d = motions.deltas(t)
    return {int(i): d[k] for k, i in enumerate(ids)}


_UNIT = np.array([[x, y, z] for x in (0, 1) for y in (0, 1) for z in (0, 1)], dtype=np.float64)


def _deformed_boxes(records: list[dict], motions: MotionSet, t: float, cameras: dict[str, Camera]) -> list[dict]:
    """3D boxes of deforming meshes (creatures) fitted to their vertices at ``t`` in their own axes
    (``Deforming.box_axes``), replacing the rest box moved rigidly; other records unchanged."""
    where = {int(i): (m, k) for m in motions.deforming for k, i in enumerate(m.ids)}
    if not where or not any(r["id"] in where for r in records):
        return records
    cache: dict[int, tuple] = {}
    out = []
    for rec in records:
        hit = where.get(rec["id"])
        if hit is None:
            out.append(rec)
            continue
        m, k = hit
        if id(m) not in cache:
            cache[id(m)] = (m.vertices(t), m.box_axes(t))
        verts, axes = cache[id(m)]
        r = axes[k]
        local = verts[k] @ r
        lo, hi = local.min(0), local.max(0)
        c, s = r @ ((lo + hi) / 2), hi - lo
        rec = {**rec, "centre": c.tolist(), "size": s.tolist(), "rotation": r.tolist(),
               "corners": (c + ((_UNIT - 0.5) * s) @ r.T).tolist()}
        if "camera" in rec:
            rec["camera"] = {n: {"centre": (cam.world_to_cam[:3, :3] @ c + cam.world_to_cam[:3, 3]).tolist(),
                                 "rotation": (cam.world_to_cam[:3, :3] @ r).tolist()} for n, cam in cameras.items()}
        out.append(rec)
    return out


def _correspond(p: GTPasses, cam: Camera, other: View, t_a: float, t_b: float, motions: MotionSet,
                n_ids: int) -> Correspondence:
    """Flow of view (p, cam) at ``t_a`` into ``other`` at ``t_b``: rigid motions by a per-id
    transform table; with deforming meshes (creatures) every hit point through ``move_points``."""
    if motions.rigid:
        idx, rel = motions.lookup(n_ids, t_a, t_b)
        return correspond(p.depth, p.instance, cam, other.camera, other.passes.depth, idx, rel)
    moved = motions.move_points(p.instance, world_points(p.depth, cam), t_a, t_b)
    return correspond(p.depth, p.instance, cam, other.camera, other.passes.depth, moved=moved)


def derive_view(name: str, cur: dict[str, View], prev: dict[str, View] | None, nxt: dict[str, View] | None,
                times3: tuple[float, float, float], motions: MotionSet, n_ids: int, id_to_class: np.ndarray,
                boxes3d: Boxes3D, baseline: float | None) -> ViewProducts:
    v = cur[name]
    p = v.passes
    t_prev, t_cur, t_next = times3
    fwd = bwd = None
    if nxt is not None:
        fwd = _correspond(p, v.camera, nxt[name], t_cur, t_next, motions, n_ids)
    if prev is not None:
        bwd = _correspond(p, v.camera, prev[name], t_cur, t_prev, motions, n_ids)
    seg, info = panoptic_ids(p.instance, id_to_class)
    b2 = boxes_2d(p.instance, id_to_class)
    out = ViewProducts(
        camera=v.camera, rgb=v.rgb, passes=p, normal=normals_to_camera(p.normal_world, v.camera),
        semantic=semantic_from_instance(p.instance, id_to_class), panoptic=seg, segments_info=info, boxes_2d=b2,
        boxes_3d=_deformed_boxes(boxes3d.posed([b["id"] for b in b2], _deltas_by_id(motions, t_cur), {name: v.camera}),
                                 motions, t_cur, {name: v.camera}),
        boundaries=occlusion_boundaries(p.depth, p.instance), fwd=fwd, bwd=bwd)
    if baseline is not None:  # a stereo rig: left and right
        other = cur["right" if name == "left" else "left"]
        lr = correspond(p.depth, p.instance, v.camera, other.camera, other.passes.depth)
        out.disparity = disparity_from_depth(p.depth, float(v.camera.K[0, 0]), baseline)
        out.disparity_valid = lr.valid
        out.other_camera = other.camera
    return out
