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
from .boxes import label_extents

STUFF_BASE = (1 << 24) - 256


def panoptic_ids(instance: np.ndarray, id_to_class: np.ndarray) -> tuple[np.ndarray, list[dict]]:
    """(segment id map (H, W) uint32, segments_info) for one image."""
    if instance.max(initial=0) >= STUFF_BASE:
        raise ValueError(f"instance id {int(instance.max())} does not fit a COCO panoptic segment id")
    cls = id_to_class[instance].astype(np.int64)
    isthing = np.array([lab.isthing for lab in LABELS], dtype=bool)
    thing_px = isthing[cls] & (instance > 0)
    seg = np.where(thing_px, instance.astype(np.int64), STUFF_BASE + cls).astype(np.uint32)
    e = label_extents(seg)
    info = []
    flat_cls = cls.ravel()
    for k, s in enumerate(e["value"]):
        c = int(flat_cls[e["first"][k]])
        info.append({"id": int(s), "category_id": c, "area": int(e["area"][k]),
                     "bbox": [int(e["x0"][k]), int(e["y0"][k]), int(e["x1"][k] - e["x0"][k] + 1),
                              int(e["y1"][k] - e["y0"][k] + 1)],
                     "iscrowd": 0, "isthing": bool(LABELS[c].isthing)})
    return seg, info


def categories() -> list[dict]:
    """COCO ``categories`` for every class of the registry."""
    return [{"id": lab.id, "name": lab.name, "supercategory": lab.supercategory, "isthing": int(lab.isthing),
             "color": list(lab.color)} for lab in LABELS]
