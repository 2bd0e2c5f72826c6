"""`wildsynth export-layout SRC --as LAYOUT --out DIR`: a finished run or dataset as a tree the field's loaders read.

Registered by the main app as ``app.command("export-layout")(export_layout_command)``.
Nothing is rendered: finished files are linked (hard links; copies across file
systems) or re-encoded (docs/layouts.md). Bad input prints one line, exit code
2, and nothing is written.
"""

from __future__ import annotations

from typing import List, Optional

import typer

from ..layouts import LAYOUTS, LINK_MODES
from ..params import UserError
from .common import check_output_dir, err, fail, output_lock, parse_path


def export_layout_command(
    src: str = typer.Argument(..., help="a finished run (holds scene.json) or a dataset root (holds dataset.json)"),
    layout: str = typer.Option(..., "--as", help=f"layout: {', '.join(sorted(LAYOUTS))} (docs/layouts.md)"),
    out: str = typer.Option(..., "--out", metavar="PATH", help="output folder (new or empty)"),
    set_: Optional[List[str]] = typer.Option(None, "--set", help="layout setting key=value (repeatable), "
                                                                 "e.g. test_every=5 (docs/layouts.md)"),
    link: str = typer.Option("auto", "--link", help=f"how finished files are reused: {', '.join(LINK_MODES)} (auto: "
                                                    "a hard link, a copy across file systems)"),
    overwrite: bool = typer.Option(False, "--overwrite/--no-overwrite",
                                   help="replace an earlier export in --out (once this one succeeded)"),
) -> None:
    """Write a finished run or a whole dataset in a layout that training code loads (Sintel, FlyingThings3D,
    KITTI 2015, ETH3D, Middlebury, nerfstudio, COLMAP/3DGS), without rendering."""
    from ..layouts import export_layout, get_layout
    from ..layouts.base import layout_params

    try:
        src_path = parse_path(src, "SRC")
        out_path = parse_path(out)
        get_layout(layout)
        layout_params(layout, set_)
        if link not in LINK_MODES:
            raise UserError(f"--link {link!r}: choose one of {', '.join(LINK_MODES)}")
        check_output_dir(out_path)
        with output_lock(out_path):
            report = export_layout(src_path, layout, out_path, set_, link, overwrite)  # type: ignore[arg-type]
    except UserError as e:
        fail(str(e))
    files = ", ".join(f"{n} {k}" for k, n in sorted(report.counts.items()))
    err.print(f"[green]wrote[/] {report.out} as {layout} from {report.runs} run(s) in {report.seconds:.1f} s "
              f"({files})", highlight=False)
    for note in report.notes:
        err.print(f"[yellow]note:[/] {note}", highlight=False)
