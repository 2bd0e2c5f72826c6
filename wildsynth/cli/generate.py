"""`wildsynth generate`: one run of the pipeline (a frame, or any shot), with progress.

Everything is checked before any expensive work: the flags, the output folder
(writable, not below a file, names within the file system's limits, not
another run's output unless ``--overwrite``) and whether the request fits in
memory (``wildsynth.run.pipeline.memory_estimate``). The output folder is locked while
the run writes it (``wildsynth.io.lock.RunLock``: a second run on it fails at
once), the run is written into a staging folder and moved into place when it
succeeded (``wildsynth.run.writer.StagedOutput``), and staging folders of
killed runs are removed first. A failure leaves the output folder as it was.
SIGTERM, SIGINT and SIGHUP end the run at once, also mid-render: its staging
folder is removed and the lock released, then it exits 143/130/129 with one
line (``signals.SignalExit``). After SIGKILL the next run does that clean-up.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import List, Optional

import typer
from rich.markup import escape

from ..params import UserError
from .common import (
    RichReporter,
    check_device,
    check_memory,
    check_output_dir,
    err,
    fail,
    output_lock,
    parse_path,
    progress_display,
    render_settings,
    run_options,
    scene_request,
)
from .signals import SignalExit


def check_target(out: Path, overwrite: bool) -> None:
    """Refuse an output folder that holds another run's output (unless ``overwrite``) or other files."""
    from ..run.writer import output_state

    state = output_state(out)
    if state == "run" and not overwrite:
        raise UserError(f"--out {out}: holds the output of another run; give --overwrite to replace it (after "
                        "the new run succeeded), or choose a new folder")
    if state == "other":
        raise UserError(f"--out {out}: folder holds other files (not a wildsynth run); choose a new or empty folder")
    if state != "absent" or not out.parent.exists():
        return
    parent = Path(os.path.abspath(out)).parent
    if not os.access(parent, os.W_OK | os.X_OK):
        raise UserError(f"--out {out}: {parent} is not writable (the run is staged beside its folder)")


def generate(
    seed: int = typer.Option(0, "--seed", help="root seed (0 to 2**63-1); the same seed gives the same frame"),
    out: str = typer.Option("out/frame", "--out", metavar="PATH", help="output folder"),
    scene: str = typer.Option("meadow", "--scene", help="scene type (see `wildsynth scenes`)"),
    resolution: str = typer.Option("1280x720", "--resolution", help="WIDTHxHEIGHT in pixels"),
    samples: int = typer.Option(64, "--samples", help="path-traced samples per pixel (1 to 65536)"),
    denoise: bool = typer.Option(True, "--denoise/--no-denoise", help="OpenImageDenoise on RGB"),
    device: str = typer.Option("auto", "--device", help="render device: auto, cpu, cuda, optix, hip, metal"),
    set_: Optional[List[str]] = typer.Option(None, "--set", help="parameter override key=value (repeatable)"),
    frames: int = typer.Option(1, "--frames", help="number of frames"),
    fps: float = typer.Option(24.0, "--fps", help="frames per second of the sequence"),
    trajectory: Optional[str] = typer.Option(None, "--trajectory", help="camera path: static, walk, fly, orbit, dolly, pan (default: walk with --frames > 1)"),
    speed: Optional[float] = typer.Option(None, "--speed", help="camera speed, m/s (walk, fly, orbit, dolly)"),
    rig: Optional[str] = typer.Option(None, "--rig", help="camera rig: mono, stereo, multiview"),
    baseline: float = typer.Option(0.075, "--baseline", help="stereo baseline, m"),
    views: int = typer.Option(8, "--views", help="cameras of the multiview ring"),
    formats: Optional[str] = typer.Option(None, "--formats", help="comma list of exr,pfm,flo,kitti,coco,nerf,colmap,tracks,compact (default all but compact; png: previews and JSON only)"),
    motion: Optional[List[str]] = typer.Option(None, "--motion", help="moving things key=value, e.g. particles=300 (repeatable)"),
    overwrite: bool = typer.Option(False, "--overwrite/--no-overwrite", help="replace the output of an earlier run in --out (once this run succeeded)"),
    render: Optional[List[str]] = typer.Option(None, "--render", help="render/camera setting key=value, e.g. exposure=0.5, fstop=2.8, iso=1600, vignetting=1, sensor=aps_c (repeatable; see docs/camera.md)"),
) -> None:
    """Generate one frame, or a shot (frames x rig), with exact ground truth.

    One frame (the default) is written flat into --out: RGB, depth, normals,
    segmentation, boundaries, panoptic, boxes and cameras. With --frames N or a
    --rig of several cameras, each view gets its folder <camera>/<frame>/, plus
    optical flow both ways, scene flow and visibility (more than one frame) and
    disparity (stereo); see docs/ground_truth.md.
    """
    from ..run import RunSpec, run
    from ..run.writer import StagedOutput, remove_stale

    try:
        out_path = parse_path(out)
        recipe, width, height, params = scene_request(scene, seed, resolution, set_)
        if samples < 1:
            raise UserError(f"--samples {samples}: must be at least 1")
        settings = render_settings(width, height, samples, denoise, check_device(device), render, resolution)
        options = run_options(frames, fps, trajectory, speed, rig, baseline, views, formats, motion)
        check_output_dir(out_path)
        check_target(out_path, overwrite)
        check_memory(width, height, options, scene)
    except UserError as e:
        fail(str(e))

    # A signal ends the run at once, even mid-render (Blender would catch a KeyboardInterrupt and
    # render on): the staging folder goes, the lock is released, one line, exit 128 + N.
    written: list[bool] = []

    def stopped(name: str) -> str:
        if written:
            return f"--out {out_path}: interrupted by {name} after the run was complete; it is in place"
        return f"--out {out_path}: interrupted by {name}; nothing was written (its staging folder was removed)"

    with SignalExit(stopped) as exits, output_lock(out_path, exits) as lock_dir:
        remove_stale(lock_dir, out_path.name)
        if out_path.is_dir():
            remove_stale(out_path)
        try:
            check_target(out_path, overwrite)  # again, under the lock
        except UserError as e:
            fail(str(e))
        staged = StagedOutput(out_path, overwrite)
        try:
            with exits.cleanup(lambda: shutil.rmtree(staged.stage, ignore_errors=True)):
                with staged as stage, progress_display() as progress:
                    reporter = RichReporter(progress)
                    result = run(RunSpec(scene, seed, params, settings, stage, options), reporter)
                    reporter.finish()
                    exits.hold()  # moving the run into place (leaving this block) is not cut short
                written.append(True)
        except OSError as e:  # name the file as it would have been in --out (a failed write() names none)
            name = str(e.filename or out_path).replace(str(staged.stage), str(out_path))
            raise OSError(e.errno, e.strerror, name) from e
        finally:
            exits.done()
    t = result.timings
    err.print(f"[green]wrote[/] {escape(str(out_path))}  ({t['total']:.1f} s; "
              + ", ".join(f"{k} {v:.1f} s" for k, v in t.items() if k != "total")
              + f"; {result.stats['triangles']:,} triangles, {result.stats['instances']:,} instances, "
              f"peak RSS {result.stats['peak_rss_mb']:.0f} MB)", highlight=False)
