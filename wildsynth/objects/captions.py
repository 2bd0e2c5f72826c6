"""Exact captions of single objects, from the asset's parameters and what its views show.

An object's attributes (``object_attributes``): its kind (a noun phrase per kind), its height in
metres (the metric bounding box's z side) and a size word, its dominant colours (named from the
albedo of the pixels its views see, not from shaded RGB) and, for plants with leaves, whether
leaves are visible. Nothing is stated that is not there: a part no view sees is not mentioned,
and a colour is named only when at least ``COLOUR_SHARE`` of the object's pixels have it.

``object_caption_set`` gives the canonical caption (every attribute) and ``k`` seeded paraphrases
(other wording and order, a random subset of the attributes, the kind always kept), with the
attributes each one states; ``parse_object_caption`` recovers them exactly. The ``Caption`` and
``CaptionSet`` types and the phrase-table approach are those of frame captions (``gt.captions``).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np

from ..core.seeds import SeedTree
from ..gt.captions import Caption, CaptionSet, _alternation, _join

COLOUR_SHARE = 0.2  # a colour is named when this share of the object's visible pixels has it
SIZES = ((0.0, "small"), (0.5, "medium-sized"), (2.0, "large"))  # height lower bounds, metres
COLOURS = ("black", "white", "grey", "brown", "red", "orange", "yellow", "green", "blue", "purple")

_KIND_NOUNS = {"rock_boulder": "boulder", "rock_chunk": "talus chunk", "rock_block": "jointed rock block",
               "rock_slab": "bedded rock slab", "rock_river": "river stone", "rock_pebble": "pebble",
               "bush": "bush", "sapling": "sapling", "fern": "fern", "flower": "wildflower",
               "mushroom": "cluster of mushrooms", "log": "fallen log"}

OPENINGS = ("{A} {body}.", "A 3D render of {a} {body}.", "A single {body}, on its own.", "An isolated {body}.")
HEIGHTS = ("about {h} m tall", "roughly {h} metres high", "some {h} m in height")
LEAVES = ("with leaves", "in leaf")


def kind_noun(kind: str) -> str:
    """The noun phrase of a kind: a table for the built-in ones, else from its name."""
    if kind in _KIND_NOUNS:
        return _KIND_NOUNS[kind]
    head, _, rest = kind.partition("_")
    if head == "tree" and rest:
        return f"{rest.replace('_', ' ')} tree"
    if head == "cactus" and rest:
        return f"{rest.replace('_', ' ')} cactus"
    return kind.replace("_", " ")


def size_word(height_m: float) -> str:
    return [w for bound, w in SIZES if height_m >= bound][-1]


def height_text(h: float) -> str:
    return f"{h:.1f}" if h >= 1.0 else f"{h:.2f}"


def colour_names(srgb: np.ndarray) -> np.ndarray:
    """A colour name index (into ``COLOURS``) per sRGB pixel (N, 3) in [0, 1]."""
    c = np.asarray(srgb, np.float64).reshape(-1, 3)
    mx, mn = c.max(1), c.min(1)
    v, s = mx, np.where(mx > 1e-9, (mx - mn) / np.maximum(mx, 1e-9), 0.0)
    r, g, b = c[:, 0], c[:, 1], c[:, 2]
    d = np.maximum(mx - mn, 1e-9)
    hue = np.where(mx == r, ((g - b) / d) % 6, np.where(mx == g, (b - r) / d + 2, (r - g) / d + 4)) * 60.0
    out = np.full(len(c), COLOURS.index("grey"))
    chroma = (s >= 0.2) & (v >= 0.12)
    bins = np.digitize(hue, [15, 45, 70, 165, 260, 330])  # red, orange, yellow, green, blue, purple, red
    names = np.array([4, 5, 6, 7, 8, 9, 4])[bins]
    brown = np.isin(names, (4, 5, 6)) & (v < 0.55)
    names = np.where(brown, COLOURS.index("brown"), names)
    out = np.where(chroma, names, out)
    out = np.where(~chroma & (v < 0.12), COLOURS.index("black"), out)
    out = np.where(~chroma & (v >= 0.8), COLOURS.index("white"), out)
    return out


def object_attributes(kind: str, height_m: float, albedo_srgb: list[np.ndarray], masks: list[np.ndarray],
                      parts_seen: list[str]) -> dict:
    """Every attribute an object's caption may state. ``albedo_srgb``/``masks``: its views' albedo (sRGB
    [0, 1]) and surface masks; ``parts_seen``: the names of the parts some view shows."""
    px = np.concatenate([a[m] for a, m in zip(albedo_srgb, masks)]) if masks else np.zeros((0, 3))
    colours: list[str] = []
    if len(px):
        counts = np.bincount(colour_names(px), minlength=len(COLOURS)) / len(px)
        colours = [COLOURS[i] for i in np.argsort(-counts, kind="stable") if counts[i] >= COLOUR_SHARE][:2]
    return {"kind": kind, "size": size_word(height_m), "height_m": float(height_text(height_m)),
            "colours": colours, "leaves": True if "leaves" in parts_seen else None}


def render_object_caption(attrs: dict, rng: np.random.Generator | None = None) -> str:
    def pick(options):
        return options[0] if rng is None else options[int(rng.integers(len(options)))]

    words = []
    if attrs.get("size"):
        words.append(attrs["size"])
    if attrs.get("colours"):
        words.append(" and ".join(attrs["colours"]))
    body = " ".join(words + [kind_noun(attrs["kind"])])
    tail = []
    if attrs.get("height_m") is not None:
        tail.append(pick(HEIGHTS).format(h=height_text(attrs["height_m"])))
    if attrs.get("leaves"):
        tail.append(pick(LEAVES))
    if rng is not None and len(tail) == 2 and rng.random() < 0.5:
        tail.reverse()
    if tail:
        body += ", " + _join(tail)
    a = "an" if body[:1] in "aeiou" else "a"
    return pick(OPENINGS).format(a=a, A=a.capitalize(), body=body)


def _subset(attrs: dict, rng: np.random.Generator, drop: float) -> dict:
    out = dict(attrs)
    for key in ("size", "height_m", "leaves"):
        if out.get(key) is not None and rng.random() < drop:
            out[key] = None
    if out.get("colours") and rng.random() < drop:
        out["colours"] = []
    return out


def object_caption_set(attrs: dict, seed: int, k: int = 4, drop: float = 0.3) -> CaptionSet:
    """Canonical caption and ``k`` paraphrases, seeded by ``SeedTree(seed).child("captions")``."""
    seeds = SeedTree(int(seed)).child("captions")
    paras = []
    for i in range(k):
        rng = seeds.child(f"paraphrase{i}").rng()
        sub = _subset(attrs, rng, drop)
        paras.append(Caption(render_object_caption(sub, rng), sub))
    return CaptionSet(Caption(render_object_caption(attrs), attrs), paras, {}, COLOUR_SHARE)


def parse_object_caption(text: str, kinds: list[str]) -> dict:
    """The attributes a caption made by ``render_object_caption`` states; ``kinds``: the kinds it may name."""
    low = text.lower()
    nouns = {kind_noun(k): k for k in kinds}
    m = re.search(rf"(?<![\w-])({_alternation(nouns)})(?![\w-])", low)
    kind = nouns[m.group(1)] if m else None
    head = low[:m.start()] if m else low
    size = next((w for _, w in sorted(SIZES, key=lambda t: -len(t[1])) if re.search(rf"(?<![\w-]){w}(?![\w-])",
                                                                                        head)), None)
    colours = re.findall(rf"(?<![\w-])({'|'.join(COLOURS)})(?![\w-])", head)
    hm = re.search(r"(\d+(?:\.\d+)?) (?:m|metres)\b", low)
    leaves = True if re.search(rf"(?<![\w-])(?:{_alternation(LEAVES)})(?![\w-])", low) else None
    return {"kind": kind, "size": size, "height_m": float(hm.group(1)) if hm else None, "colours": colours,
            "leaves": leaves}


# ---------------------------------------------------------------- files beside object renders

def record_attributes(rec) -> dict:
    """The attributes of a rendered object (an ``objects.base.ObjectRecord``)."""
    from ..io.png import to_srgb8

    height = float((rec.mesh.vertices[:, 2].max() - rec.mesh.vertices[:, 2].min()) / rec.scale)
    names = [p.name for p in rec.asset.parts]
    seen = sorted({names[int(i) - 1] for v in rec.views for i in np.unique(v.part) if 0 < int(i) <= len(names)})
    albedo = [to_srgb8(v.albedo) / 255.0 for v in rec.views]
    return object_attributes(rec.asset.kind, height, albedo, [v.mask for v in rec.views], seen)


def write_object_captions(rec, folder: Path, k: int = 4) -> CaptionSet:
    """``caption.txt`` (canonical, one line) and ``caption.json`` into an object's folder."""
    from ..io import write_json

    cs = object_caption_set(record_attributes(rec), rec.asset.seed, k)
    (Path(folder) / "caption.txt").write_text(cs.canonical.text + "\n")
    write_json(Path(folder) / "caption.json", cs.to_json())
    return cs


def object_images(folder: Path) -> list[str]:
    """The RGBA view files of an object folder, relative to it (any layout)."""
    folder = Path(folder)
    found = sorted(p.name for p in folder.glob("[0-9][0-9][0-9].png"))
    if not found:
        found = sorted(f"images/{p.name}" for p in (folder / "images").glob("[0-9][0-9][0-9].png"))
    return found


def write_metadata(root: Path, uids: list[str]) -> int:
    """``root/metadata.jsonl``: one row per RGBA view (``file_name`` relative to ``root``, ``text`` the
    object's canonical caption, ``uid``, ``view``, ``split`` from ``object.json``); the Hugging Face
    imagefolder form (loaded from the root it is one ``train`` split: filter on ``split``)."""
    rows = []
    for uid in uids:
        folder = Path(root) / uid
        cap = folder / "caption.json"
        if not cap.is_file():
            continue
        text = json.loads(cap.read_text())["canonical"]
        split = json.loads((folder / "object.json").read_text())["split"]
        for k, name in enumerate(object_images(folder)):
            rows.append({"file_name": f"{uid}/{name}", "split": split, "text": text, "uid": uid, "view": k})
    tmp = Path(root) / ".metadata.jsonl.tmp"
    tmp.write_text("".join(json.dumps(r, sort_keys=True) + "\n" for r in rows))
    tmp.replace(Path(root) / "metadata.jsonl")
    return len(rows)
