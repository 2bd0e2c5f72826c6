"""``pairs``: RGB with exact depth, normals and semantics at the training resolution (the dataset's
``--resolution``), for
image-to-image models (Palette, ControlNet-style conditioning), and a Hugging Face imagefolder.

Per job (``<job>/``): ``image.png`` (sRGB), ``depth.png`` (16-bit inverse depth, per-image
2-98 % affine; ``pair.json`` holds the inverse), ``depth.npy`` (exact float32 z-depth, m, inf
on sky), ``normal.png`` ((n + 1) / 2, OpenCV camera axes) and ``normal.npy``, ``semantic.png``
(the label registry's colours) and ``semantic_ids.png`` (class ids), ``caption.txt``,
``pair.json`` (camera, encodings, split). The split is drawn from the scene seed.

``finish`` writes ``ROOT/imagefolder/<split>/metadata.jsonl`` with ``images/<key>.png`` and
``conditioning/<kind>/<key>.png`` hard-linked from the jobs (depth as 8-bit), which
``datasets.load_dataset("imagefolder")`` (4.0) decodes as image columns (docs/generative_data.md).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..io import read_png, write_json, write_png
from ..io.cameras import camera_json
from ..io.ids import write_id_png
from .base import Task, register_task
from .common import SPLITS, check_split, encode_disparity16, link_or_copy, normal8, semantic_rgb, split_of, view_normal

CONDITIONING = ("depth", "normal", "semantic")


class PairsParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    split: tuple[float, float, float] = Field((0.9, 0.05, 0.05), description="train, validation, test fractions "
                                                                             "(drawn per scene seed)")
    conditioning: str = Field("depth", description="the kind named conditioning_image_file_name: depth, normal "
                                                   "or semantic")

    _split = field_validator("split")(classmethod(lambda cls, v: check_split(v)))

    @field_validator("conditioning")
    @classmethod
    def _kind(cls, v: str) -> str:
        if v not in CONDITIONING:
            raise ValueError(f"choose one of {', '.join(CONDITIONING)}")
        return v


def shot(options, p: PairsParams):
    """A still: one mono camera, one frame, the EXR format (exact depth and normals)."""
    return options.model_copy(update={"shot": options.shot.model_copy(update={"frames": 1, "rig": "mono", "flow": None}),
                                      "formats": ("exr",)})


def write(run_dir: Path, folder: Path, p: PairsParams, job) -> dict:
    from ..layouts.source import open_run
    from .common import view_semantic

    run = open_run(run_dir)
    view = run.view(run.cameras[0], run.frames[0])
    depth = view.depth()
    normal = view_normal(view)
    sem = view_semantic(view)
    shutil.copyfile(view.image, folder / "image.png")
    d16, dmeta = encode_disparity16(depth)
    write_png(folder / "depth.png", d16)
    np.save(folder / "depth.npy", depth.astype(np.float32))
    write_png(folder / "normal.png", normal8(normal))
    np.save(folder / "normal.npy", normal)
    write_png(folder / "semantic.png", semantic_rgb(sem))
    write_id_png(folder / "semantic_ids.png", sem)
    caption = view.path("caption.txt").read_text().strip() if view.has("caption.txt") else ""
    (folder / "caption.txt").write_text(caption + "\n")
    split = split_of(job.seed, p.split)
    write_json(folder / "pair.json", {
        "split": split, "caption": caption, "camera": camera_json(view.camera()), "depth": dmeta,
        "normal": "normal.png: (n + 1) / 2 * 255 per axis, unit normals in OpenCV camera axes (x right, y down, "
                  "z forward); black = no surface; normal.npy float32 exact",
        "semantic": "semantic.png: the label registry's colour of each class; semantic_ids.png: class ids "
                    "(docs/ground_truth.md)",
        "files": ["image.png", "depth.png", "depth.npy", "normal.png", "normal.npy", "semantic.png",
                  "semantic_ids.png", "caption.txt"]})
    return {"split": split, "sky_fraction": round(float(np.mean(~np.isfinite(depth))), 4)}


def write_depth8(src: Path, dst: Path) -> None:
    """``dst``: the 16-bit inverse-depth PNG ``src`` as 8-bit (v8 = round(v16 / 257), the same affine:
    ``disparity = lo + v8 / 255 * (hi - lo)``), written atomically."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = dst.with_name(f".{dst.name}.tmp")
    write_png(tmp, np.round(read_png(src).astype(np.float64) / 257.0).astype(np.uint8))
    tmp.replace(dst)


def finish(root: Path, jobs: list, p: PairsParams) -> dict:
    """``ROOT/imagefolder/<split>/metadata.jsonl`` over the finished jobs (rewritten whole)."""
    base = root / "imagefolder"
    rows: dict[str, list[dict]] = {s: [] for s in SPLITS}
    for job in jobs:
        folder = Path(job.folder)
        meta = json.loads((folder / "pair.json").read_text())
        key = job.id.replace("/", "_")
        split_dir = base / meta["split"]
        link_or_copy(folder / "image.png", split_dir / "images" / f"{key}.png")
        # column order matters: ``file_name`` first (datasets 4.0's imagefolder gives ``file_name`` to
        # the first image column it fills), then the caption and the conditioning image:
        # column_names[0], [1] and [2] are what diffusers' train_controlnet.py takes by default
        row = {"file_name": f"images/{key}.png", "text": meta["caption"],
               "conditioning_image_file_name": f"conditioning/{p.conditioning}/{key}.png"}
        for kind in CONDITIONING:
            dst = split_dir / "conditioning" / kind / f"{key}.png"
            if kind == "depth":  # 8-bit: train_controlnet.py's .convert("RGB") clips a 16-bit PNG at 255
                write_depth8(folder / "depth.png", dst)
            else:
                link_or_copy(folder / f"{kind}.png", dst)
            row[f"{kind}_file_name"] = f"conditioning/{kind}/{key}.png"
        row.update({"scene": job.scene, "seed": job.seed,
                    "disparity_lo": meta["depth"]["disparity_lo"], "disparity_hi": meta["depth"]["disparity_hi"]})
        rows[meta["split"]].append(row)
    for split, items in rows.items():
        if not items:
            continue
        path = base / split / "metadata.jsonl"
        tmp = path.with_name(".metadata.jsonl.tmp")
        tmp.write_text("".join(json.dumps(r) + "\n" for r in items))
        tmp.replace(path)
    return {s: len(v) for s, v in rows.items()}


def read_pairs(split_dir: Path) -> list[dict]:
    """The rows of an imagefolder split with every image column decoded (numpy arrays)."""
    split_dir = Path(split_dir)
    out = []
    for line in (split_dir / "metadata.jsonl").read_text().splitlines():
        row = json.loads(line)
        item = {k: v for k, v in row.items() if not k.endswith("file_name")}
        item["image"] = read_png(split_dir / row["file_name"])
        for kind in CONDITIONING:
            item[kind] = read_png(split_dir / row[f"{kind}_file_name"])
        out.append(item)
    return out


register_task(Task("pairs", "RGB with exact depth, normals and semantics at the training resolution; imagefolder",
                   PairsParams, shot=shot, write=write, finish=finish))
