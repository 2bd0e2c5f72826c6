"""``objects``: object sets as a dataset task (one asset per job), reusing ``wildsynth objects``.

Job ``i`` (seed ``seed + i``) renders one asset of ``kind`` (a kind, group, comma list or
``all``; job seed ``s`` takes kind ``s mod len(kinds)``) with the object-set code
(``objects.build.render_object``) and writes the layout's files, ``gt/``, ``object.json`` and
``caption.txt`` / ``caption.json`` into ``ROOT/objects/<seed:06d>/``. The asset seed is
``objects.build.asset_seed(job seed, kind, 0)``, its split drawn from it (by asset, never by
view). ``finish`` writes the layout's root index, ``splits.json`` and ``metadata.jsonl`` in
``ROOT/objects/``, which is then an object set in that layout (docs/generative_data.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from .base import Task, register_task


class ObjectTaskParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: str = Field("rocks", description="asset kind, group, comma list of them, or all")
    views: int = Field(12, ge=1, le=1000, description="views per asset")
    size: int = Field(128, ge=16, le=4096, description="square image size, pixels")
    layout: Literal["zero123", "pointe", "nerf"] = Field("zero123", description="object layout")
    light: Literal["uniform", "sky"] = Field("uniform", description="uniform white world, or sun and sky")
    points: int = Field(16384, ge=1, le=10_000_000, description="surface samples (pointe)")
    split: tuple[float, float, float] = Field((0.8, 0.1, 0.1), description="train, val, test fractions")

    @field_validator("kind")
    @classmethod
    def _kinds(cls, v: str) -> str:
        from ..generators.assets import resolve_kinds

        resolve_kinds(v)
        return v


def _set_params(p: ObjectTaskParams, render: dict):
    from ..objects.params import ObjectSetParams

    return ObjectSetParams(kind=p.kind, count=1, views=p.views, size=p.size, layout=p.layout,
                           samples=render.get("samples", 16), denoise=render.get("denoise", True), light=p.light,
                           points=p.points, split=p.split, device=render.get("device", "auto"),
                           threads=render.get("threads", 0))


def row_of(p: ObjectTaskParams, seed: int) -> dict:
    from ..generators.assets import resolve_kinds
    from ..objects.build import asset_seed, split_of

    kinds = resolve_kinds(p.kind)
    kind = kinds[seed % len(kinds)]
    s = asset_seed(seed, kind, 0)
    return {"uid": f"{seed:06d}", "index": seed, "kind": kind, "seed": s, "split": split_of(s, p.split)}


def make(folder: Path, p: ObjectTaskParams, job) -> dict:
    from ..objects.base import get_object_layout, write_common
    from ..objects.build import render_object
    from ..objects.captions import write_object_captions

    sp = _set_params(p, dict(job.render))
    row = row_of(p, job.seed)
    rec = render_object(row, sp)
    get_object_layout(p.layout).write(rec, folder)
    write_common(rec, folder)
    cs = write_object_captions(rec, folder)
    return {"kind": row["kind"], "asset_seed": row["seed"], "split": row["split"],
            "triangles": int(rec.mesh.n_triangles), "caption": cs.canonical.text}


def finish(root: Path, jobs: list, p: ObjectTaskParams) -> dict:
    from ..io import write_json
    from ..objects.base import get_object_layout
    from ..objects.build import SPLITS
    from ..objects.captions import write_metadata

    base = root / "objects"
    rows = [row_of(p, j.seed) for j in jobs]
    get_object_layout(p.layout).finish(base, rows)
    write_json(base / "splits.json", {s: [r["uid"] for r in rows if r["split"] == s] for s in SPLITS})
    return {"objects": len(rows), "metadata_rows": write_metadata(base, [r["uid"] for r in rows])}


register_task(Task("objects", "single assets from posed views in an object-set layout (one per job), with captions",
                   ObjectTaskParams, make=make, finish=finish, uses_scene=False))
