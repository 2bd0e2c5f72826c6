"""The object-set driver: seeds -> asset -> normalise -> cameras -> render -> layout files.

Every asset ``i`` of a set has its own seed, ``SeedTree(seed).child("objects").child(kind)
.child(str(i)).int()``; all its draws (shape, materials, cameras, Cycles, surface samples)
come from ``SeedTree(asset seed)``, so an asset and its files do not depend on the other
assets, the count or the image size (only the layout's camera radius changes its cameras).
Its split (train / val / test) is drawn from ``SeedTree(asset seed).child("split")``: by
asset, never by view. Each object is written into a hidden staging folder and renamed into
place when complete; a rerun skips objects already there (resume), then rewrites the
indexes: ``splits.json`` and ``wildsynth_objects.json`` (rewritten last, with ``complete: true``). The set is locked\n(``io.lock.RunLock``, ``DIR/.wildsynth.lock``) while a run writes it.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from ..core.seeds import SeedTree
from ..generators.assets import build_asset, resolve_kinds
from ..io import write_json
from ..io.lock import RunLock
from ..render.base import make_renderer
from ..render.object_passes import ObjectRenderSettings
from .base import ObjectRecord, get_object_layout, write_common
from .cameras import sphere_cameras
from .captions import write_metadata, write_object_captions
from .params import ObjectSetParams

MANIFEST = "wildsynth_objects.json"
LOCK = ".wildsynth.lock"
SPLITS = ("train", "val", "test")


def asset_seed(root: int, kind: str, index: int) -> int:
    return SeedTree(root).child("objects").child(kind).child(str(index)).int(2**62)


def split_of(seed: int, fractions: tuple[float, float, float]) -> str:
    u = SeedTree(seed).child("split").rng().uniform()
    edges = np.cumsum(fractions)
    return SPLITS[min(int(np.searchsorted(edges, u, side="right")), 2)]


def normalisation(lo: np.ndarray, hi: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
    """(scale, offset, 4x4) putting the box [lo, hi] in the unit cube: centred, longest side 1."""
    scale = 1.0 / float(max((hi - lo).max(), 1e-12))
    offset = -(lo + hi) / 2.0
    m = np.eye(4)
    m[:3, :3] *= scale
    m[:3, 3] = offset * scale
    return scale, offset, m


# Peak memory of one object, MB: Blender, Cycles and the largest asset (an oak's 1.2 M triangles
# with its realised leaves; measured 700 MB for a 128 px tree set), plus what the views hold in
# numpy (RGBA, albedo, depth, normals, mask and part: 49 bytes a pixel) and Cycles' film and EXR
# buffers of one render (about 64 bytes a pixel).
BASE_MB = 900.0
BYTES_PER_VIEW_PIXEL = 49.0
BYTES_PER_RENDER_PIXEL = 64.0


def memory_estimate_mb(params: ObjectSetParams) -> float:
    px = float(params.size) ** 2
    return BASE_MB + (px * params.views * BYTES_PER_VIEW_PIXEL + px * BYTES_PER_RENDER_PIXEL) / 2**20


def plan(params: ObjectSetParams) -> list[dict]:
    kinds = resolve_kinds(params.kind)
    rows = []
    for i in range(params.count):
        kind = kinds[i % len(kinds)]
        seed = asset_seed(params.seed, kind, i)
        rows.append({"uid": f"{kind}_{i:06d}", "index": i, "kind": kind, "seed": seed,
                     "split": split_of(seed, params.split)})
    return rows


def render_object(row: dict, params: ObjectSetParams) -> ObjectRecord:
    layout = get_object_layout(params.layout)
    asset = build_asset(row["kind"], row["seed"])
    scale, offset, m = normalisation(*asset.bounds())
    scene = asset.scene(m)
    mesh, face_part = asset.mesh()
    mesh = mesh.transformed(m)
    seeds = SeedTree(row["seed"])
    cams, sph = sphere_cameras(seeds.child("views"), params.views, params.size, layout.radius, layout.hemisphere)
    settings = ObjectRenderSettings(width=params.size, height=params.size, samples=params.samples,
                                    denoise=params.denoise, light=params.light, device=params.device,
                                    threads=params.threads)
    with make_renderer(scene, settings, seed=seeds.child("cycles").int(), backend="cycles_objects") as r:
        views = r.render_views(cams)
    return ObjectRecord(row["uid"], row["index"], asset, row["split"], scale, offset, mesh, face_part, cams, sph,
                        views, params.points)


def _manifest_params(params: ObjectSetParams) -> dict:
    return params.model_dump(exclude={"count", "device", "threads"})


def check_resume(out: Path, params: ObjectSetParams) -> None:
    """A folder holding a set made with other parameters is refused (ValueError naming the difference)."""
    path = out / MANIFEST
    if not path.exists():
        return
    old = json.loads(path.read_text()).get("params", {})
    new = json.loads(json.dumps(_manifest_params(params)))
    diff = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
    if diff:
        raise ValueError(f"--out {out}: holds an object set made with other parameters ({', '.join(diff)}); "
                         "choose another folder")


def make_object_set(params: ObjectSetParams, out: Path,
                    progress: Callable[[int, int, str], None] | None = None) -> dict:
    """Build, render and write the set; returns the manifest."""
    out = Path(out)
    check_resume(out, params)
    out.mkdir(parents=True, exist_ok=True)
    with RunLock(out / LOCK):  # one writer per set: a second run on it fails at once (one line)
        return _write_set(params, out, progress)


def _write_set(params: ObjectSetParams, out: Path, progress) -> dict:
    for stale in out.glob(".*.tmp-*"):  # staging folders of a killed run
        shutil.rmtree(stale, ignore_errors=True)
    layout = get_object_layout(params.layout)
    rows = plan(params)
    # the manifest first says what is being made (a killed run resumes with the same parameters),
    # and is rewritten with ``complete: true`` when every object and index is written
    write_json(out / MANIFEST, {"layout": params.layout, "params": _manifest_params(params), "complete": False})
    t0, made = time.time(), 0
    for k, row in enumerate(rows):
        final = out / row["uid"]
        if progress:
            progress(k, len(rows), row["uid"])
        if (final / "object.json").exists():
            continue
        rec = render_object(row, params)
        stage = out / f".{row['uid']}.tmp-{os.getpid()}"
        shutil.rmtree(stage, ignore_errors=True)
        stage.mkdir()
        try:
            layout.write(rec, stage)
            write_common(rec, stage)
            write_object_captions(rec, stage)
            if final.exists():
                shutil.rmtree(final)
            os.replace(stage, final)
        finally:
            shutil.rmtree(stage, ignore_errors=True)
        made += 1
    if progress:
        progress(len(rows), len(rows), "")
    layout.finish(out, rows)
    write_json(out / "splits.json", {s: [r["uid"] for r in rows if r["split"] == s] for s in SPLITS})
    write_metadata(out, [r["uid"] for r in rows])
    manifest = {"layout": params.layout, "params": _manifest_params(params), "complete": True, "count": len(rows),
                "objects": rows, "rendered_now": made, "seconds": round(time.time() - t0, 3)}
    write_json(out / MANIFEST, manifest)
    return manifest
