"""`wildsynth generate`: one run of the pipeline (a frame, or any shot), with progress."""

from __future__ import annotations

import signal
from pathlib import Path
from typing import List, Optional

import typer
from rich.progress import Progress

from ..params import UserError, apply_overrides
from .common import (
    RichReporter,
    check_device,
    check_output_dir,
    err,
    fail,
    parse_resolution,
    progress_columns,
    run_options,
)


def generate(
    seed: int = typer.Option(0, "--seed", min=0, help="root seed; the same seed gives the same frame"),
    out: Path = typer.Option(Path("out/frame"), "--out", help="output folder"),
    scene: str = typer.Option("meadow", "--scene", help="scene type (see `wildsynth scenes`)"),
    resolution: str = typer.Option("1280x720", "--resolution", help="WIDTHxHEIGHT in pixels"),
    samples: int = typer.Option(64, "--samples", help="path-traced samples per pixel"),
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
    formats: Optional[str] = typer.Option(None, "--formats", help="comma list of exr,pfm,flo,kitti,coco,nerf,colmap (default all)"),
    motion: Optional[List[str]] = typer.Option(None, "--motion", help="moving things key=value, e.g. particles=300 (repeatable)"),
) -> None:
    """Generate one frame, or a shot (frames x rig), with exact ground truth.

    One frame (the default) is written flat into --out: RGB, depth, normals,
    segmentation, boundaries, panoptic, boxes and cameras. With --frames N or a
    --rig of several cameras, each view gets its folder <camera>/<frame>/, plus
    optical flow both ways, scene flow and visibility (more than one frame) and
    disparity (stereo); see docs/ground_truth.md.
    """
    from ..render.settings import RenderSettings
    from ..run import RunSpec, run
    from ..scenes import get as get_scene

    try:
        recipe = get_scene(scene)
        width, height = parse_resolution(resolution)
        params = apply_overrides(recipe.params, set_ or [], what=scene)
        if samples < 1:
            raise UserError(f"--samples {samples}: must be at least 1")
        settings = RenderSettings(width=width, height=height, samples=samples, denoise=denoise,
                                  device=check_device(device))
        options = run_options(frames, fps, trajectory, speed, rig, baseline, views, formats, motion)
        check_output_dir(out)
    except (UserError, KeyError) as e:
        fail(str(e).strip("'\""))

    # Blender catches a KeyboardInterrupt raised during a Cycles render and renders on, so Ctrl-C
    # would wait for the frame and then write it. Stop at once instead: a folder without
    # scene.json is incomplete by the output contract.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    with Progress(*progress_columns(), console=err, transient=False) as progress:
        reporter = RichReporter(progress)
        result = run(RunSpec(scene, seed, params, settings, out, options), reporter)
        reporter.finish()
    t = result.timings
    err.print(f"[green]wrote[/] {out}  ({t['total']:.1f} s; "
              + ", ".join(f"{k} {v:.1f} s" for k, v in t.items() if k != "total")
              + f"; {result.stats['triangles']:,} triangles, {result.stats['instances']:,} instances, "
              f"peak RSS {result.stats['peak_rss_mb']:.0f} MB)", highlight=False)
