"""2D boxes from the instance map and oriented 3D boxes from mesh bounds (numpy only).

2D: ``[x, y, w, h]`` in pixels, COCO style: (x, y) is the top-left corner of
the top-left pixel covered, w and h count pixels (visible, modal extent).

3D: an oriented box per thing id at a given time: the prototype mesh's local
axis-aligned bounds mapped by the placement transform (and the id's motion
delta). ``centre`` (world, m), ``size`` (m, along the box axes), ``rotation``
(3x3 world, columns = box axes), ``corners`` (8 x 3 world), and the same
centre/rotation in each camera's OpenCV axes. An id shared by several
placements (a patch of grass) gets a box around all of them whose axes are
the world axes (also when the placements belong to several objects, as the
tufts of one grass patch do); placements that carry their owner's id (``id_groups="given"``:
a tree's leaves) widen the owner's box in its own axes.
"""

from __future__ import annotations

import numpy as np

from ..core.camera import Camera
from ..core.labels import label
from ..core.mesh import Instances
from ..core.scene import Scene

_UNIT_CORNERS = np.array([[x, y, z] for x in (0, 1) for y in (0, 1) for z in (0, 1)], dtype=np.float64)


def label_extents(labels: np.ndarray) -> dict[str, np.ndarray]:
    """Per distinct value of an (H, W) label map: ``value``, ``area``, pixel extents
    ``x0, y0, x1, y1`` (inclusive) and ``first`` (flat index of its first pixel).
    One sort, then segment reductions (``ufunc.at`` is ~10x slower at 720p)."""
    h, w = labels.shape
    flat = labels.ravel()
    order = np.argsort(flat, kind="stable")
    sorted_vals = flat[order]
    starts = np.flatnonzero(np.r_[True, sorted_vals[1:] != sorted_vals[:-1]]) if flat.size else np.zeros(0, int)
    rows, cols = order // w, order % w
    area = np.diff(np.r_[starts, flat.size])
    return {"value": sorted_vals[starts], "area": area, "first": order[starts],
            "x0": np.minimum.reduceat(cols, starts), "x1": np.maximum.reduceat(cols, starts),
            "y0": np.minimum.reduceat(rows, starts), "y1": np.maximum.reduceat(rows, starts)}


def boxes_2d(instance: np.ndarray, id_to_class: np.ndarray | None = None) -> list[dict]:
    """One record per instance id > 0 visible in the map: id, bbox [x, y, w, h], area (pixels), class_id."""
    if not instance.size:
        return []
    e = label_extents(instance)
    out = []
    for k, i in enumerate(e["value"]):
        if i == 0:
            continue
        rec = {"id": int(i), "bbox": [int(e["x0"][k]), int(e["y0"][k]), int(e["x1"][k] - e["x0"][k] + 1),
                                      int(e["y1"][k] - e["y0"][k] + 1)], "area": int(e["area"][k])}
        if id_to_class is not None:
            rec["class_id"] = int(id_to_class[i])
        out.append(rec)
    return out


def _box_from_points(corners: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    lo, hi = corners.min(axis=0), corners.max(axis=0)
    return (lo + hi) / 2, hi - lo, np.eye(3)


class Boxes3D:
    """Rest-pose oriented boxes of every thing id of a scene, posed at any time."""

    def __init__(self, scene: Scene):
        self.ids: list[int] = []
        self._first: dict[int, int] = {}
        self.centre, self.size, self.rotation, self.cls = [], [], [], []
        for o in scene.objects:
            lab = label(o.semantic)
            if not lab.isthing or isinstance(getattr(o, "id_groups", None), str):
                continue
            g = o.geometry
            if isinstance(g, Instances):
                lo, hi = g.mesh.bounds()
                lo, hi = lo.astype(np.float64), hi.astype(np.float64)
                local = lo + _UNIT_CORNERS * (hi - lo)
                t = g.transforms.astype(np.float64)
                world = np.einsum("nij,kj->nki", t[:, :3, :3], local) + t[:, None, :3, 3]
                uniq, inv = np.unique(g.ids, return_inverse=True)
                counts = np.bincount(inv)
                groups = np.split(np.argsort(inv, kind="stable"), np.cumsum(counts)[:-1])
                for k, i in enumerate(uniq):
                    members = groups[k]
                    if counts[k] == 1:
                        tt = t[members[0]]
                        scale = np.linalg.norm(tt[:3, :3], axis=0)
                        rot = tt[:3, :3] / scale
                        c = tt[:3, :3] @ ((lo + hi) / 2) + tt[:3, 3]
                        s = (hi - lo) * scale
                    else:
                        c, s, rot = _box_from_points(world[members].reshape(-1, 3))
                    self._add(int(i), c, s, rot, lab.id)
            else:
                lo, hi = g.bounds()
                self._add(int(o.instance_id), (lo + hi) / 2.0, (hi - lo).astype(np.float64), np.eye(3), lab.id)
        self.index = {i: k for k, i in enumerate(self.ids)}
        for o in scene.objects:  # placements that carry their owner's id (a tree's leaves) widen its box
            if isinstance(getattr(o, "id_groups", None), str) and isinstance(o.geometry, Instances):
                self._widen(o.geometry)

    def _widen(self, g: Instances) -> None:
        if not len(g) or not len(g.mesh.vertices):
            return
        lo, hi = g.mesh.bounds()
        local = lo.astype(np.float64) + _UNIT_CORNERS * (hi - lo).astype(np.float64)
        t = g.transforms.astype(np.float64)
        world = np.einsum("nij,kj->nki", t[:, :3, :3], local) + t[:, None, :3, 3]  # (N, 8, 3)
        for i in np.unique(g.ids).tolist():
            k = self.index.get(int(i))
            if k is None:
                continue
            c, r, s = self.centre[k], self.rotation[k], self.size[k]
            pts = (world[g.ids == i].reshape(-1, 3) - c) @ r  # in the box's own axes
            a, b = np.minimum(-s / 2, pts.min(0)), np.maximum(s / 2, pts.max(0))
            self.centre[k], self.size[k] = c + r @ ((a + b) / 2), b - a

    def _add(self, i, c, s, r, cls) -> None:
        c, s, r = (np.asarray(x, np.float64) for x in (c, s, r))
        k = self._first.get(i)
        if k is not None:  # an id shared by placements of several objects (one grass patch of many meshes)
            corners = [self.centre[k] + ((_UNIT_CORNERS - 0.5) * self.size[k]) @ self.rotation[k].T,
                       c + ((_UNIT_CORNERS - 0.5) * s) @ r.T]
            self.centre[k], self.size[k], self.rotation[k] = _box_from_points(np.concatenate(corners))
            return
        self._first[i] = len(self.ids)
        self.ids.append(i)
        self.centre.append(c)
        self.size.append(s)
        self.rotation.append(r)
        self.cls.append(cls)

    def posed(self, ids, deltas: dict[int, np.ndarray] | None = None, cameras: dict[str, Camera] | None = None) -> list[dict]:
        """Records for ``ids`` (things only; others are skipped) at the pose given by ``deltas`` (id -> 4x4)."""
        out = []
        for i in ids:
            k = self.index.get(int(i))
            if k is None:
                continue
            c, r, s = self.centre[k], self.rotation[k], self.size[k]
            if deltas is not None and int(i) in deltas:
                d = deltas[int(i)]
                c, r = d[:3, :3] @ c + d[:3, 3], d[:3, :3] @ r
            corners = c + ((_UNIT_CORNERS - 0.5) * s) @ r.T
            rec = {"id": int(i), "class_id": int(self.cls[k]), "centre": c.tolist(), "size": s.tolist(),
                   "rotation": r.tolist(), "corners": corners.tolist()}
            if cameras:
                rec["camera"] = {}
                for name, cam in cameras.items():
                    w2c = cam.world_to_cam
                    rec["camera"][name] = {"centre": (w2c[:3, :3] @ c + w2c[:3, 3]).tolist(),
                                           "rotation": (w2c[:3, :3] @ r).tolist()}
            out.append(rec)
        return out
