"""COCO panoptic segmentation from the instance map and the label registry (numpy only).

Segment ids (encoded in the PNG as R + 256 G + 256^2 B, 0 = void):

- things (``isthing``): one segment per instance id, segment id = instance id;
- stuff: one segment per class present in the image (all terrain objects of
  one class merge), segment id = ``STUFF_BASE + class_id``; sky is the stuff
  class 0 (segment ``STUFF_BASE``).

``category_id`` is the class id of ``core/labels.py`` (the same number as in
``semantic.png``). Instance ids must stay below ``STUFF_BASE`` (2^24 - 256).
"""

from __future__ import annotations

import numpy as np

from ..core.labels import LABELS

STUFF_BASE = (1 << 24) - 256


def panoptic_ids(instance: np.ndarray, id_to_class: np.ndarray) -> tuple[np.ndarray, list[dict]]:
    """(segment id map (H, W) uint32, segments_info) for one image."""
    if instance.max(initial=0) >= STUFF_BASE:
        raise ValueError(f"instance id {int(instance.max())} does not fit a COCO panoptic segment id")
    cls = id_to_class[instance].astype(np.int64)
    isthing = np.array([lab.isthing for lab in LABELS], dtype=bool)
    thing_px = isthing[cls] & (instance > 0)
    seg = np.where(thing_px, instance.astype(np.int64), STUFF_BASE + cls).astype(np.uint32)
    uniq, inv, area = np.unique(seg.ravel(), return_inverse=True, return_counts=True)
    inv = inv.reshape(seg.shape)
    h, w = seg.shape
    rows = np.arange(h)[:, None].repeat(w, 1).ravel()
    cols = np.arange(w)[None, :].repeat(h, 0).ravel()
    n = len(uniq)
    x0 = np.full(n, w); y0 = np.full(n, h); x1 = np.full(n, -1); y1 = np.full(n, -1)
    np.minimum.at(x0, inv.ravel(), cols); np.minimum.at(y0, inv.ravel(), rows)
    np.maximum.at(x1, inv.ravel(), cols); np.maximum.at(y1, inv.ravel(), rows)
    first = np.zeros(n, dtype=np.int64)
    first[inv.ravel()[::-1]] = np.arange(seg.size)[::-1]
    info = []
    for k, s in enumerate(uniq):
        c = int(cls.ravel()[first[k]])
        info.append({"id": int(s), "category_id": c, "area": int(area[k]),
                     "bbox": [int(x0[k]), int(y0[k]), int(x1[k] - x0[k] + 1), int(y1[k] - y0[k] + 1)],
                     "iscrowd": 0, "isthing": bool(LABELS[c].isthing)})
    return seg, info


def categories() -> list[dict]:
    """COCO ``categories`` for every class of the registry."""
    return [{"id": lab.id, "name": lab.name, "supercategory": lab.supercategory, "isthing": int(lab.isthing),
             "color": list(lab.color)} for lab in LABELS]
