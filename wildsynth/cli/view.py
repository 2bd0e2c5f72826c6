"""`wildsynth view PATH`: a finished frame, sequence or dataset in Rerun's web viewer (docs/viewer.md).

Registered by the main app as ``app.command("view")(view_command)``. Writes the
recording (``--save FILE.rrd`` keeps it, else a temporary file), serves it on
this machine and opens the viewer's URL in the browser (``--no-open`` prints
it only). Runs until Ctrl-C. ``--save`` with ``--no-serve`` writes the file
and exits. A path that is not wildsynth output is one line, exit code 2.
"""

from __future__ import annotations

import tempfile
import time
import webbrowser
from pathlib import Path
from typing import Optional

import typer

from ..params import UserError
from .common import err, fail, parse_path


def view_command(
    path: str = typer.Argument(..., help="a finished run (scene.json), a dataset root (dataset.json), or one camera "
                                         "or frame folder of a run"),
    port: int = typer.Option(9090, "--port", min=0, max=65535, help="HTTP port of the web viewer (0: a free one)"),
    ws_port: int = typer.Option(0, "--ws-port", min=0, max=65535,
                                help="WebSocket port the recording streams on (0: a free one)"),
    open_browser: bool = typer.Option(True, "--open/--no-open", help="open the viewer in the browser (else print "
                                                                      "the URL only)"),
    save: Optional[str] = typer.Option(None, "--save", metavar="FILE.rrd", help="keep the recording in this file "
                                                                                  "(opens in any Rerun viewer)"),
    serve_: bool = typer.Option(True, "--serve/--no-serve", help="serve the web viewer (--no-serve: only --save)"),
    max_points: int = typer.Option(20_000, "--max-points", min=0, help="points from depth per view (0: none)"),
    max_depth: float = typer.Option(150.0, "--max-depth", min=0.0, help="farthest point from depth, metres"),
    max_runs: int = typer.Option(16, "--max-runs", min=1, help="runs of a dataset root to show at most"),
    renderer: str = typer.Option("webgl", "--renderer", help="the web viewer's renderer: webgl or webgpu"),
) -> None:
    """Open a finished frame, sequence or dataset in a browser: RGB, depth, normals, segmentation, flow and
    disparity layers, the cameras, trajectory and a point cloud from the exact depth in 3D, a timeline."""
    from ..view import select, serve, write_recording

    try:
        src = parse_path(path, "PATH")
        out = parse_path(save, "--save") if save is not None else None
        if out is not None and out.suffix != ".rrd":
            raise UserError(f"--save {save!r}: give a file name ending in .rrd")
        if out is None and not serve_:
            raise UserError("--no-serve writes nothing to look at without --save FILE.rrd")
        selections = select(src)
        if len(selections) > max_runs:
            err.print(f"[yellow]note:[/] showing the first {max_runs} of {len(selections)} finished runs "
                      "(--max-runs)", highlight=False)
            selections = selections[:max_runs]
        tmp = None
        if out is None:
            tmp = tempfile.TemporaryDirectory(prefix="wildsynth_view_")
            out = Path(tmp.name) / "view.rrd"
        t0 = time.perf_counter()
        written = write_recording(selections, out, max_points, max_depth)
        layers = "; ".join(f"{c}: {', '.join(ns)}" for c, ns in written.layers.items())
        err.print(f"[green]wrote[/] {out} ({len(written.runs)} run(s), {written.views} view(s), {written.points} "
                  f"points, {out.stat().st_size / 1e6:.1f} MB, {time.perf_counter() - t0:.1f} s; {layers})",
                  highlight=False)
        if not serve_:
            return
        server = serve(out, port, ws_port, renderer)
    except UserError as e:
        fail(str(e))
    typer.echo(server.url)
    err.print("serving on this machine; Ctrl-C stops", highlight=False)
    if open_browser:
        webbrowser.open(server.url)
    try:
        server.process.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
        if tmp is not None:
            tmp.cleanup()
