"""Our three ``metadata.jsonl`` writers, loaded with the real Hugging Face ``datasets`` imagefolder
builder, offline, with no rendering: frame captions (``wildsynth captions --imagefolder``), object
sets (the set root) and the ``pairs`` task (``ROOT/imagefolder/<split>/``, image conditioning columns)."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from typer.testing import CliRunner

from tests.caption_runs import SCENE, fake_run
from tests.tasks import synthetic
from wildsynth.io import read_png, write_json, write_png


@pytest.fixture
def hf(tmp_path, monkeypatch):
    """``datasets``, offline, caching under ``tmp_path`` (nothing in the home folder), no sockets."""
    home = tmp_path / "hf_home"
    for k, v in {"HF_DATASETS_OFFLINE": "1", "HF_HUB_OFFLINE": "1", "HF_HOME": str(home),
                 "HF_DATASETS_CACHE": str(home / "datasets")}.items():
        monkeypatch.setenv(k, v)
    import datasets
    import huggingface_hub.constants

    # the flags are read at import: set them too in case another test imported datasets first
    monkeypatch.setattr(datasets.config, "HF_DATASETS_OFFLINE", True)
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)
    for name in ("HF_DATASETS_CACHE", "HF_MODULES_CACHE", "DOWNLOADED_DATASETS_PATH", "EXTRACTED_DATASETS_PATH"):
        monkeypatch.setattr(datasets.config, name, home / name.lower())

    def no_network(*a, **k):
        raise OSError("the imagefolder tests must not touch the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)

    def load(data_dir: Path, split: str | None = None, by_path: bool = False):
        if by_path:  # how train_controlnet.py / train_text_to_image.py pass --train_data_dir
            return datasets.load_dataset(str(data_dir), split=split, cache_dir=str(home / "cache"))
        return datasets.load_dataset("imagefolder", data_dir=str(data_dir), split=split, cache_dir=str(home / "cache"))

    before = _home_cache()
    yield load
    assert _home_cache() == before  # nothing written under ~/.cache/huggingface


def _home_cache() -> set[str]:
    top = Path.home() / ".cache" / "huggingface"
    return {str(p) for p in top.rglob("*")} if top.is_dir() else set()


def test_captions_imagefolder_loads_with_the_captions(tmp_path, hf):
    from wildsynth.cli import app

    data = tmp_path / "data"
    fake_run(data / "run_a")
    fake_run(data / "run_b", {**SCENE, "seed": 9}, views=(("left", 0), ("left", 1)))
    out = tmp_path / "hf_out"
    r = CliRunner().invoke(app, ["captions", str(data), "--imagefolder", str(out)])
    assert r.exit_code == 0, r.output
    views = [data / "run_a", data / "run_b" / "left" / "000000", data / "run_b" / "left" / "000001"]
    captions = [(v / "caption.txt").read_text().strip() for v in views]
    ds = hf(out, "train")
    assert ds.column_names == ["image", "text"] and len(ds) == 3
    for row, v, cap in zip(ds, views, captions):
        assert row["image"].size == (100, 100) and row["image"].mode == "RGB"
        assert (np.asarray(row["image"]) == read_png(v / "image.png")).all()
        assert row["text"] == cap
    # DIR itself: the index names only image.png, so the other PNGs beside it are not rows
    ds = hf(data, "train")
    assert len(ds) == 3 and ds["text"] == captions
    assert (np.asarray(ds[1]["image"]) == read_png(views[1] / "image.png")).all()


def _fake_object(root: Path, uid: str, split: str, views: int, nerf: bool, k: int) -> str:
    """An object folder as a layout writes it (RGBA views, gt/ previews, object.json, captions)."""
    folder = root / uid
    img = folder / "images" if nerf else folder
    (folder / "gt").mkdir(parents=True)
    img.mkdir(parents=True, exist_ok=True)
    for v in range(views):
        rgba = np.zeros((24, 24, 4), np.uint8)
        rgba[4:20, 6:18] = (40 * v, 100, 20 * k, 255)
        write_png(img / f"{v:03d}.png", rgba)
        write_png(folder / "gt" / f"{v:03d}_mask.png", (rgba[..., 3] > 0).astype(np.uint8) * 255)
    text = f"a small grey rock number {k}"
    write_json(folder / "object.json", {"uid": uid, "split": split})
    write_json(folder / "caption.json", {"canonical": text, "paraphrases": [], "attributes": {}})
    (folder / "caption.txt").write_text(text + "\n")
    return uid


@pytest.mark.parametrize("nerf", [False, True])
def test_object_set_metadata_loads_every_view_with_its_caption_and_split(tmp_path, hf, nerf):
    from wildsynth.objects.captions import write_metadata

    root = tmp_path / "set"
    splits = ["train", "test", "validation"]
    uids = [_fake_object(root, f"rock_boulder_{k:06d}", splits[k], 2, nerf, k) for k in range(3)]
    assert write_metadata(root, uids) == 6
    ds = hf(root, "train")  # one split: the builder does not read splits.json
    assert ds.column_names == ["image", "split", "text", "uid", "view"] and len(ds) == 6
    for row in ds:
        folder = root / row["uid"]
        name = f"images/{row['view']:03d}.png" if nerf else f"{row['view']:03d}.png"
        assert row["image"].mode == "RGBA" and row["image"].size == (24, 24)
        assert (np.asarray(row["image"]) == read_png(folder / name)).all()
        assert row["text"] == (folder / "caption.txt").read_text().strip()
        assert row["split"] == json.loads((folder / "object.json").read_text())["split"]


def _fake_pairs(tmp_path: Path, splits: list[str]) -> tuple[Path, list]:
    """Job folders as ``pairs.write`` leaves them, from the ray-cast toy scene (no Blender)."""
    from wildsynth.tasks.common import encode_disparity16, normal8, semantic_rgb

    jobs = []
    for i, split in enumerate(splits):
        col, z, inst = synthetic.render(synthetic.camera((3.0 + i, -4.0, 2.0)))
        f = tmp_path / "jobs" / f"{i:06d}"
        f.mkdir(parents=True)
        write_png(f / "image.png", np.round(col * 255).astype(np.uint8))
        d16, dmeta = encode_disparity16(z)
        write_png(f / "depth.png", d16)
        n = np.where(np.isfinite(z)[..., None], np.array([0.0, -0.6, -0.8], np.float32), 0.0)
        write_png(f / "normal.png", normal8(n))
        write_png(f / "semantic.png", semantic_rgb(inst))
        caption = f"A view of a sphere on a plane, number {i}."
        (f / "caption.txt").write_text(caption + "\n")
        write_json(f / "pair.json", {"split": split, "caption": caption, "depth": dmeta})
        jobs.append(SimpleNamespace(folder=str(f), id=f"{i:06d}", scene="toy", seed=i))
    return tmp_path / "root", jobs


@pytest.mark.parametrize("by_path", [False, True])
def test_pairs_imagefolder_decodes_every_conditioning_column_as_an_image(tmp_path, hf, by_path):
    from wildsynth.tasks.pairs import PairsParams, finish, read_pairs

    root, jobs = _fake_pairs(tmp_path, ["train", "validation", "train"])
    assert finish(root, jobs, PairsParams(conditioning="normal")) == {"train": 2, "validation": 1, "test": 0}
    dd = hf(root / "imagefolder", by_path=by_path)
    assert sorted(dd) == ["train", "validation"] and (len(dd["train"]), len(dd["validation"])) == (2, 1)
    ds = dd["train"]
    # train_controlnet.py's defaults: image, caption and conditioning image are column_names[0], [1], [2]
    assert ds.column_names[:3] == ["image", "text", "conditioning_image"]
    assert {"depth", "normal", "semantic"} <= set(ds.column_names)
    for name in ("image", "conditioning_image", "depth", "normal", "semantic"):
        assert type(ds.features[name]).__name__ == "Image", name
    for row, job in zip(ds, [jobs[0], jobs[2]]):
        f = Path(job.folder)
        assert row["text"] == (f / "caption.txt").read_text().strip()
        assert (row["scene"], row["seed"]) == ("toy", job.seed)
        for col, mode, want in [("image", "RGB", read_png(f / "image.png")),
                                ("normal", "RGB", read_png(f / "normal.png")),
                                ("conditioning_image", "RGB", read_png(f / "normal.png")),
                                ("semantic", "RGB", read_png(f / "semantic.png"))]:
            assert row[col].mode == mode and row[col].size == (96, 64), col
            assert (np.asarray(row[col]) == want).all(), col
        # depth: 8-bit, the job's 16-bit values / 257, so .convert("RGB") keeps them (16-bit clips at 255)
        d16 = read_png(f / "depth.png").astype(np.float64)
        assert row["depth"].mode == "L" and row["depth"].size == (96, 64)
        assert (np.asarray(row["depth"]) == np.round(d16 / 257)).all()
        assert (np.asarray(row["depth"].convert("RGB"))[..., 0] == np.asarray(row["depth"])).all()
        assert len(np.unique(np.asarray(row["depth"]))) > 50
    ours = read_pairs(root / "imagefolder" / "train")
    assert [r["text"] for r in ours] == ds["text"]
    assert all((r["depth"] == np.asarray(x)).all() for r, x in zip(ours, ds["depth"]))


def test_pairs_conditioning_column_follows_the_option(tmp_path, hf):
    from wildsynth.tasks.pairs import PairsParams, finish

    root, jobs = _fake_pairs(tmp_path, ["train"])
    finish(root, jobs, PairsParams(conditioning="semantic"))
    (row,) = hf(root / "imagefolder", "train")
    assert (np.asarray(row["conditioning_image"]) == np.asarray(row["semantic"])).all()
    assert not (np.asarray(row["conditioning_image"]) == np.asarray(row["normal"])).all()
