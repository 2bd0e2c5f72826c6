"""Caption grounding: how many of the attributes a predicted caption states are true.

Both captions are read by ``wildsynth.gt.captions.parse_caption`` into attribute facts
(``attribute_facts``): the scene type, season, time of day, sky, sun, ground kind, each
weather, and per visible class its presence and its amount level. With P the predicted
facts and G the ground truth's (all attributes of the frame, ``caption.json``'s
``attributes``): precision = |P n G| / |P|, recall = |P n G| / |G|, F1 their harmonic
mean; reported over all facts, over class presence only (``classes``) and per kind.
A caption in words the grammar does not know states nothing (precision undefined: null).
"""

from __future__ import annotations

from ..gt.captions import attribute_facts, parse_caption


def _pr(pred: set, gt: set) -> dict:
    hit = len(pred & gt)
    p = hit / len(pred) if pred else None
    r = hit / len(gt) if gt else None
    f = None if not p or not r else 2 * p * r / (p + r)
    return {"precision": p, "recall": r, "f1": f, "stated": len(pred), "true": len(gt), "correct": hit}


def grounding(pred_attrs: dict, gt_attrs: dict) -> dict:
    """Precision / recall of the facts of ``pred_attrs`` against ``gt_attrs``."""
    p, g = attribute_facts(pred_attrs), attribute_facts(gt_attrs)
    out = {"all": _pr(p, g)}
    kinds = sorted({f[0] for f in p | g})
    for k in kinds:
        key = "classes" if k == "class" else k
        out[key] = _pr({f for f in p if f[0] == k}, {f for f in g if f[0] == k})
    return out


def caption_grounding(pred_text: str, gt_attrs: dict) -> dict:
    """``grounding`` of a caption's text (parsed) against the frame's attributes."""
    pred = parse_caption(pred_text)
    out = grounding(pred, gt_attrs)
    out["parsed"] = pred
    return out


def mean_grounding(results: list[dict]) -> dict:
    """Micro-averaged precision / recall over several captions (sums of counts)."""
    keys = sorted({k for r in results for k in r if k != "parsed"})
    out = {}
    for k in keys:
        stated = sum(r[k]["stated"] for r in results if k in r)
        true = sum(r[k]["true"] for r in results if k in r)
        hit = sum(r[k]["correct"] for r in results if k in r)
        p = hit / stated if stated else None
        rc = hit / true if true else None
        out[k] = {"precision": p, "recall": rc, "f1": None if not p or not rc else 2 * p * rc / (p + rc),
                  "stated": stated, "true": true, "correct": hit}
    return out
