"""The layout registry and what every layout exporter shares: placing files, the staged output folder.

A layout is one ``register_layout(Layout(name, description, Params, export))``
call in its own module of this package. ``export(runs, ctx, params)`` writes
the layout's tree into ``ctx.out`` from finished runs (``source.Run``),
linking the files it can use as they are (``ctx.place``) and re-encoding the
rest with the writers of ``wildsynth/io`` or of its own module; it returns a
summary (counts of samples, sequences, ...) for ``wildsynth_layout.json``.
"""

from __future__ import annotations

import errno
import os
import shutil
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Literal

from pydantic import BaseModel

from ..io import write_json
from ..params import UserError, apply_overrides
from .source import Run, find_runs

LinkMode = Literal["auto", "hard", "symlink", "copy"]
LINK_MODES: tuple[str, ...] = ("auto", "hard", "symlink", "copy")
MANIFEST = "wildsynth_layout.json"  # written last: a folder holding it is a complete export


@dataclass
class Context:
    """Where a layout writes (``out``, the staging folder) and how it places files it reuses."""

    out: Path
    link: LinkMode = "auto"
    counts: Counter = field(default_factory=Counter)  # files by how they were made
    notes: list[str] = field(default_factory=list)

    def dst(self, rel: str) -> Path:
        """``out / rel`` with its folder created (for a writer to write)."""
        p = self.out / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        self.counts["encoded"] += 1
        return p

    def place(self, src: Path, rel: str) -> Path:
        """Put the finished file ``src`` at ``out / rel`` unchanged: a hard link (``auto`` falls back to a
        copy across file systems or where links are refused), a symbolic link, or a copy."""
        dst = self.out / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        src = Path(src)
        if self.link in ("auto", "hard"):
            try:
                os.link(src, dst)
                self.counts["linked"] += 1
                return dst
            except OSError as e:
                if self.link == "hard" or e.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK, errno.EACCES,
                                                          errno.ENOTSUP):
                    raise
        if self.link == "symlink":
            os.symlink(src.resolve(), dst)
            self.counts["symlinked"] += 1
            return dst
        shutil.copy2(src, dst)
        self.counts["copied"] += 1
        return dst

    def duplicate(self, rel_src: str, rel: str) -> Path:
        """A second name ``out / rel`` for a file this export already wrote (a hard link; a copy where refused)."""
        src, dst = self.out / rel_src, self.out / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(src, dst)
        except OSError:
            shutil.copy2(src, dst)
        return dst

    def alias(self, rel: str, target: str) -> None:
        """A relative symbolic link ``out / rel`` -> ``target`` (a second name for a folder)."""
        p = self.out / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(target, p)

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)


@dataclass(frozen=True)
class Layout:
    name: str
    description: str
    params: type[BaseModel]
    export: Callable[[list[Run], Context, BaseModel], dict]


LAYOUTS: dict[str, Layout] = {}


def register_layout(layout: Layout) -> Layout:
    if layout.name in LAYOUTS:
        raise ValueError(f"layout {layout.name!r} registered twice")
    LAYOUTS[layout.name] = layout
    return layout


def get_layout(name: str) -> Layout:
    if name not in LAYOUTS:
        raise UserError(f"--as {name!r}: unknown layout; choose one of {', '.join(sorted(LAYOUTS))}")
    return LAYOUTS[name]


def layout_params(name: str, overrides: list[str] | None = None) -> BaseModel:
    """The validated parameters of a layout with ``--set key=value`` overrides applied."""
    return apply_overrides(get_layout(name).params, list(overrides or []), what=name, listing=None)


@dataclass
class ExportReport:
    out: Path
    layout: str
    runs: int
    summary: dict
    counts: dict
    notes: list[str]
    seconds: float


def _out_state(out: Path) -> str:
    if not out.exists():
        return "absent"
    if not out.is_dir():
        raise UserError(f"--out {out}: exists and is not a folder")
    names = [n for n in os.listdir(out) if not n.startswith(".")]
    if not names:
        return "empty"
    return "export" if (out / MANIFEST).is_file() else "other"


def export_layout(src: Path, layout: str, out: Path, overrides: list[str] | None = None, link: LinkMode = "auto",
                  overwrite: bool = False) -> ExportReport:
    """Write the finished run or dataset root ``src`` as ``layout`` into ``out`` (staged; moved into place
    when complete, ``wildsynth_layout.json`` last). ``out`` must be absent or empty, or with
    ``overwrite`` hold an earlier export, which is replaced only once this one succeeded."""
    from ..run.writer import StagedOutput

    t0 = time.perf_counter()
    lay = get_layout(layout)
    params = layout_params(layout, overrides)
    if link not in LINK_MODES:
        raise UserError(f"--link {link!r}: choose one of {', '.join(LINK_MODES)}")
    runs = find_runs(Path(src))
    out = Path(out)
    state = _out_state(out)
    if state == "other" or (state == "export" and not overwrite):
        raise UserError(f"--out {out}: is not empty" + ("; it holds an earlier export: add --overwrite to replace it"
                                                          if state == "export" else "; choose a new or empty folder"))
    if Path(src).resolve() in (out.resolve(), *out.resolve().parents):
        raise UserError(f"--out {out}: is inside the source {src}; choose a folder outside it")
    with StagedOutput(out, overwrite=overwrite) as stage:
        stage.mkdir(parents=True, exist_ok=True)
        ctx = Context(stage, link)
        summary = lay.export(runs, ctx, params)
        report = ExportReport(Path(out), layout, len(runs), summary, dict(ctx.counts), ctx.notes,
                              time.perf_counter() - t0)
        write_json(stage / MANIFEST, {"layout": layout, "params": params.model_dump(mode="json"),
                                      "source": str(Path(src).resolve()), "runs": [r.name for r in runs],
                                      "summary": summary, "files": report.counts, "notes": ctx.notes,
                                      "seconds": report.seconds})
    return report
