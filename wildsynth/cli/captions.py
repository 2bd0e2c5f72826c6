"""`wildsynth captions DIR`: (re)write the exact captions of every view under DIR, and ``DIR/metadata.jsonl``.

Registered by the main app as ``app.command("captions")(captions_command)``. DIR is a run
(holds ``scene.json``) or any folder of runs (a dataset root). Each view gets
``caption.txt`` and ``caption.json`` (listed in its ``frame.json``), made as the run writer
makes them (same seeds, same bytes for the same threshold and count); ``metadata.jsonl``
lists every view's ``image.png`` with its canonical caption (``file_name``, ``text``), the
Hugging Face ``imagefolder`` form. ``--imagefolder OUT`` also builds a clean folder that
``datasets.load_dataset("imagefolder", data_dir=OUT)`` and diffusers' text-to-image scripts
(``--train_data_dir OUT``) read: ``OUT/train/<n>.png`` (hard links, copies across file
systems) and ``OUT/train/metadata.jsonl``. Bad input: one line, exit code 2. docs/captions.md.
"""

from __future__ import annotations

import math
import os
import shutil
from pathlib import Path
from typing import Optional

import typer

from ..params import UserError
from .common import check_writable_path, err, parse_path


def _link(src: Path, dst: Path) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copyfile(src, dst)


def captions_command(
    root: str = typer.Argument(..., help="a finished run (holds scene.json) or a folder of runs"),
    paraphrases: int = typer.Option(4, "--paraphrases", help="seeded paraphrases per view (0 to 64)"),
    threshold: float = typer.Option(0.005, "--threshold",
                                    help="share of a view's pixels a class needs to be mentioned (0 to 1)"),
    imagefolder: Optional[str] = typer.Option(None, "--imagefolder", metavar="PATH",
                                              help="also build a clean imagefolder (train/*.png + metadata.jsonl)"),
) -> None:
    """Write exact captions (canonical, paraphrases, attributes) beside every view, and metadata.jsonl."""
    from ..run.captions import find_views, rewrite_view, run_context, view_captions, write_metadata

    path = parse_path(root, "DIR")
    if not path.is_dir():
        raise UserError(f"DIR {path}: no such folder")
    if not 0 <= paraphrases <= 64:
        raise UserError(f"--paraphrases {paraphrases}: must be between 0 and 64")
    if not (math.isfinite(threshold) and 0 < threshold <= 1):
        raise UserError(f"--threshold {threshold}: must be a number in (0, 1]")
    check_writable_path(path, "DIR", folder=True)
    views = find_views(path)
    if not views:
        raise UserError(f"DIR {path}: no finished views (folders with frame.json inside a run with scene.json)")
    missing = next((v.folder for v in views if not (v.folder / "semantic.png").is_file()
                    or not (v.folder / "image.png").is_file()), None)
    if missing is not None:
        raise UserError(f"DIR {path}: view {missing} has no semantic.png or image.png")
    out = parse_path(imagefolder, "--imagefolder") if imagefolder is not None else None
    if out is not None:
        check_writable_path(out, "--imagefolder", folder=True)
        if out.exists() and any(out.iterdir()):
            raise UserError(f"--imagefolder {out}: exists and is not empty; give a new or empty folder")
    contexts: dict[Path, dict] = {}
    entries = []
    for v in views:
        try:
            ctx = contexts.setdefault(v.run, run_context(v.run))
            cs = view_captions(v.folder, ctx, paraphrases, threshold)
        except (ValueError, KeyError) as e:
            raise UserError(f"DIR {path}: view {v.folder}: {e}") from None
        rewrite_view(v.folder, cs)
        entries.append((v.folder / "image.png", cs.canonical.text))
    meta = write_metadata(path, entries)
    msg = f"[green]wrote[/] captions of {len(views)} view(s) in {len(contexts)} run(s); {meta}"
    if out is not None:
        train = out / "train"
        train.mkdir(parents=True, exist_ok=True)
        width = len(str(len(entries) - 1))
        linked = []
        for i, (img, text) in enumerate(entries):
            dst = train / f"{i:0{width}d}.png"
            _link(img, dst)
            linked.append((dst, text))
        write_metadata(train, linked)
        msg += f"; imagefolder {train} ({len(linked)} images)"
    err.print(msg, highlight=False)
