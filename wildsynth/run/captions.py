"""Captions of written views: making them from a view's files, writing them, and the
Hugging Face ``imagefolder`` index (``metadata.jsonl``) over many views.

The run writer (``writer.write_view``) writes ``caption.txt`` and ``caption.json`` into
every view while the run is made; ``wildsynth captions DIR`` (re)makes them for output
that exists, from the run's ``scene.json`` and ``objects.json`` and the view's
``semantic.png``, with the same seeds, so both give the same bytes.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..gt.captions import THRESHOLD, CaptionSet, caption_seeds, caption_set
from ..io import atomic_path, read_json, write_json
from ..materials.terrain import PALETTES

CAPTION_FILES = ("caption.txt", "caption.json")
METADATA = "metadata.jsonl"
PARAPHRASES = 4
_PALETTE_GROUND = {"plants": "grassy", "sand": "sandy", "soil": "bare"}  # a palette's ground kind, in words


def ground_kind(objects: dict | None) -> str | None:
    """The terrain's cover (grassy, sandy, bare) from its material in ``objects.json``."""
    terrain = next((o for o in (objects or {}).get("objects", []) if o.get("class") == "terrain"), None)
    if terrain is None:
        return None
    mat = terrain.get("material") or {}
    if mat.get("recipe") == "meadow_ground":
        return "grassy"
    palette = (mat.get("params") or {}).get("palette")
    if palette is None:
        return None
    p = PALETTES.get(palette)
    return None if p is None else _PALETTE_GROUND.get(p.ground)


def terrain_objects(scene) -> dict:
    """The terrain objects of a ``core.Scene`` in ``objects.json``'s form (all ``ground_kind`` reads)."""
    return {"objects": [{"class": "terrain", "material": o.material.to_dict()} for o in scene.objects
                        if o.semantic == "terrain"]}


def caption_context(scene: str, seed: int, params: dict, sky: dict | None, objects: dict | None) -> dict:
    """What a run's captions need of its scene, in ``scene.json``'s keys (the run writer passes it
    to every view): scene type, seed, parameters, the drawn sky, and the ground's kind."""
    return {"scene": scene, "seed": int(seed), "params": params, "sky": sky or {}, "ground": ground_kind(objects)}


def write_caption_files(folder: Path, cs: CaptionSet) -> list[str]:
    """``caption.txt`` (the canonical caption, one line) and ``caption.json`` into ``folder``."""
    with atomic_path(folder / "caption.txt") as tmp:
        tmp.write_text(cs.canonical.text + "\n")
    write_json(folder / "caption.json", cs.to_json())
    return list(CAPTION_FILES)


def view_caption_set(context: dict, semantic: np.ndarray, camera: str, frame: int, k: int = PARAPHRASES,
                     threshold: float = THRESHOLD) -> CaptionSet:
    return caption_set(context, semantic, k=k, threshold=threshold,
                       seeds=caption_seeds(context.get("seed", 0), camera, frame))


@dataclass
class ViewRef:
    run: Path  # the run's root (holds scene.json)
    folder: Path  # the view's folder (holds frame.json, semantic.png, image.png)


def find_views(root: Path) -> list[ViewRef]:
    """Every complete view under ``root``: folders with ``frame.json`` inside runs (``scene.json``)."""
    views = []
    for marker in sorted(root.rglob("scene.json")):
        run = marker.parent
        for fj in sorted(run.rglob("frame.json")):
            if any(p.name.startswith(".") for p in fj.relative_to(run).parents if p.name):
                continue  # staging and trash folders
            owner = next((p for p in fj.parents if (p / "scene.json").is_file()), None)
            if owner == run:
                views.append(ViewRef(run, fj.parent))
    return views


def run_context(run: Path) -> dict:
    scene = read_json(run / "scene.json")
    objects = read_json(run / "objects.json") if (run / "objects.json").is_file() else None
    return caption_context(scene.get("scene", "unknown"), scene.get("seed", 0), scene.get("params") or {},
                           scene.get("sky"), objects)


def view_captions(folder: Path, context: dict | None = None, k: int = PARAPHRASES,
                  threshold: float = THRESHOLD) -> CaptionSet:
    """The captions of a written view folder (its run found above it unless ``context`` is given)."""
    from ..io.png import read_png

    if context is None:
        run = next((p for p in [folder, *folder.parents] if (p / "scene.json").is_file()), None)
        if run is None:
            raise ValueError(f"{folder}: not inside a run (no scene.json in it or above it)")
        context = run_context(run)
    frame = read_json(folder / "frame.json")
    return view_caption_set(context, read_png(folder / "semantic.png"), frame.get("camera_name", "main"),
                            int(frame.get("frame", 0)), k, threshold)


def rewrite_view(folder: Path, cs: CaptionSet) -> None:
    """Write a view's caption files and list them in its ``frame.json`` (rewritten atomically)."""
    write_caption_files(folder, cs)
    meta = read_json(folder / "frame.json")
    files = set(meta.get("files", []))
    if not set(CAPTION_FILES) <= files:
        meta["files"] = sorted((files | set(CAPTION_FILES)) - {"frame.json"}) + ["frame.json"]
        write_json(folder / "frame.json", meta)


def metadata_lines(root: Path, entries: list[tuple[Path, str]]) -> list[str]:
    """``metadata.jsonl`` lines (``file_name`` relative to ``root``, ``text``) in the imagefolder form."""
    return [json.dumps({"file_name": os.path.relpath(img, root).replace(os.sep, "/"), "text": text})
            for img, text in entries]


def write_metadata(root: Path, entries: list[tuple[Path, str]]) -> Path:
    path = root / METADATA
    with atomic_path(path) as tmp:
        tmp.write_text("".join(line + "\n" for line in metadata_lines(root, entries)))
    return path
