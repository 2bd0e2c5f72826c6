"""The ``wildsynth`` command."""

from __future__ import annotations

import contextlib
import signal
import sys
from pathlib import Path
from typing import Iterator, List, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from .console import err, fail, parse_resolution
from .params import UserError, apply_overrides, describe

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Procedural natural worlds, path traced with Cycles, with exact ground truth.")
def _columns() -> tuple:
    return (SpinnerColumn(), TextColumn("{task.description:<14}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
            TimeElapsedColumn())


class RichReporter:
    """Stage names with a spinner and a bar for the render."""

    def __init__(self, progress: Progress):
        self.progress = progress
        self.render_task = None
        self.seen: set[str] = set()

    @contextlib.contextmanager
    def stage(self, name: str) -> Iterator[None]:
        label = name.replace("_", " ")
        if name in self.seen:  # a stage repeated per frame of a sequence: one line, not one per call
            yield
            return
        self.seen.add(name)
        if name == "render_rgb":
            self.render_task = self.progress.add_task(label, total=1.0)
            yield
            self.progress.update(self.render_task, completed=1.0)
            return
        task = self.progress.add_task(label, total=None)
        yield
        self.progress.update(task, total=1.0, completed=1.0)

    def render_progress(self, fraction: float) -> None:
        if self.render_task is not None:
            self.progress.update(self.render_task, completed=fraction)


@app.command()
def generate(
    seed: int = typer.Option(0, "--seed", min=0, help="root seed; the same seed gives the same frame"),
    out: Path = typer.Option(Path("out/frame"), "--out", help="output folder"),
    scene: str = typer.Option("meadow", "--scene", help="scene type (see `wildsynth scenes`)"),
    resolution: str = typer.Option("1280x720", "--resolution", help="WIDTHxHEIGHT in pixels"),
    samples: int = typer.Option(64, "--samples", help="path-traced samples per pixel"),
    denoise: bool = typer.Option(True, "--denoise/--no-denoise", help="OpenImageDenoise on RGB"),
    set_: Optional[List[str]] = typer.Option(None, "--set", help="parameter override key=value (repeatable)"),
    frames: int = typer.Option(1, "--frames", help="number of frames (more than 1, or any option below, writes a sequence)"),
    fps: float = typer.Option(24.0, "--fps", help="frames per second of the sequence"),
    trajectory: Optional[str] = typer.Option(None, "--trajectory", help="camera path: static, walk, fly, orbit, dolly, pan"),
    speed: Optional[float] = typer.Option(None, "--speed", help="camera speed, m/s (walk, fly, orbit, dolly)"),
    rig: Optional[str] = typer.Option(None, "--rig", help="camera rig: mono, stereo, multiview"),
    baseline: float = typer.Option(0.075, "--baseline", help="stereo baseline, m"),
    views: int = typer.Option(8, "--views", help="cameras of the multiview ring"),
    formats: Optional[str] = typer.Option(None, "--formats", help="comma list of exr,pfm,flo,kitti,coco,nerf,colmap (default all)"),
    motion: Optional[List[str]] = typer.Option(None, "--motion", help="moving things override key=value, e.g. particles=300 (repeatable)"),
) -> None:
    """Generate one frame, or a sequence from a camera rig, with exact ground truth.

    One frame (the default): RGB plus depth, normals, segmentation and cameras.
    A sequence (--frames N, --rig, --trajectory, --formats or --motion): per frame and
    camera also optical flow both ways, scene flow, visibility, boundaries, panoptic,
    boxes, disparity (stereo) and camera files; see docs/ground_truth.md.
    """
    from .pipeline import check_output_dir
    from .render.settings import RenderSettings
    from .scenes import get as get_scene

    sequence = frames != 1 or any(x is not None for x in (trajectory, rig, formats, motion, speed))
    options = None
    try:
        recipe = get_scene(scene)
        width, height = parse_resolution(resolution)
        params = apply_overrides(recipe.params, set_ or [], what=scene)
        if samples < 1:
            raise UserError(f"--samples {samples}: must be at least 1")
        settings = RenderSettings(width=width, height=height, samples=samples, denoise=denoise)
        if sequence:
            options = _sequence_options(frames, fps, trajectory, speed, rig, baseline, views, formats, motion)
        check_output_dir(out)
    except (UserError, KeyError) as e:
        fail(str(e).strip("'\""))

    # Blender catches a KeyboardInterrupt raised during a Cycles render and renders on, so Ctrl-C
    # would wait for the frame and then write it. Stop at once instead: a frame folder without
    # scene.json is incomplete by the output contract.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    with Progress(*_columns(), console=err, transient=False) as progress:
        if options is None:
            from .pipeline import generate as run

            result = run(scene, seed, params, settings, out, RichReporter(progress))
        else:
            from .sequence import generate_sequence

            result = generate_sequence(scene, seed, params, settings, options, out, RichReporter(progress))
    t = result.timings
    err.print(f"[green]wrote[/] {out}  ({t['total']:.1f} s; "
              + ", ".join(f"{k} {v:.1f} s" for k, v in t.items() if k != "total")
              + f"; {result.stats['triangles']:,} triangles, {result.stats['instances']:,} instances, "
              f"peak RSS {result.stats['peak_rss_mb']:.0f} MB)", highlight=False)


def _sequence_options(frames, fps, trajectory, speed, rig, baseline, views, formats, motion):
    """Validate the sequence flags into ``SequenceOptions``; one-line errors name the flag."""
    from pydantic import ValidationError

    from .sequence import FORMATS, SequenceOptions

    if frames < 1:
        raise UserError(f"--frames {frames}: must be at least 1")
    if not fps > 0:
        raise UserError(f"--fps {fps}: must be > 0")
    kinds = ("static", "walk", "fly", "orbit", "dolly", "pan")
    if trajectory is not None and trajectory not in kinds:
        raise UserError(f"--trajectory {trajectory!r}: choose one of {', '.join(kinds)}")
    if rig is not None and rig not in ("mono", "stereo", "multiview"):
        raise UserError(f"--rig {rig!r}: choose mono, stereo or multiview")
    if not baseline > 0:
        raise UserError(f"--baseline {baseline}: must be > 0 metres")
    fmts = FORMATS
    if formats is not None:
        fmts = tuple(f.strip().lower() for f in formats.split(",") if f.strip())
        bad = [f for f in fmts if f not in FORMATS and f != "png"]
        if bad:
            raise UserError(f"--formats {formats!r}: unknown {', '.join(bad)}; allowed: {', '.join(FORMATS)} "
                            "(PNG previews and JSON are always written)")
        fmts = tuple(f for f in fmts if f != "png")
    traj = {"kind": trajectory or ("walk" if frames > 1 else "static")}
    if speed is not None:
        traj["speed"] = speed
    from .generators.motion import MotionParams

    motion_params = apply_overrides(MotionParams, motion or [], what="motion")
    try:
        return SequenceOptions(frames=frames, fps=fps, rig=rig or "mono", baseline=baseline, views=views,
                               formats=fmts, trajectory=traj, motion=motion_params)
    except ValidationError as e:
        x = e.errors()[0]
        raise UserError(f"--{'.'.join(str(p) for p in x['loc'])} {x.get('input')!r}: {x['msg']}") from None


@app.command()
def params(scene: str = typer.Argument("meadow", help="scene type")) -> None:
    """List every parameter of a scene with its default, allowed range and description."""
    from .scenes import get as get_scene

    try:
        recipe = get_scene(scene)
    except KeyError as e:
        fail(str(e).strip("'\""))
    table = Table(title=f"{scene}: {recipe.description}")
    table.add_column("parameter", no_wrap=True, style="bold")
    table.add_column("default", no_wrap=True)
    table.add_column("allowed")
    table.add_column("description")
    for row in describe(recipe.params):
        table.add_row(row["name"], repr(row["default"]), row["allowed"], row["description"])
    Console().print(table)


@app.command()
def materials(
    gallery: Optional[Path] = typer.Option(None, "--gallery", help="write a labelled grid of every material to this PNG"),
    size: int = typer.Option(256, "--size", min=32, max=2048, help="tile size in pixels"),
    samples: int = typer.Option(16, "--samples", min=1, max=4096, help="samples per tile"),
    only: Optional[List[str]] = typer.Option(None, "--only", help="render only these materials (repeatable)"),
    bake: Optional[str] = typer.Option(None, "--bake", help="bake this material to PBR maps (base_color, roughness, normal PNGs)"),
    out: Path = typer.Option(Path("out/maps"), "--out", help="folder for --bake maps"),
) -> None:
    """List the material recipes, render them all to a gallery image, or bake one to texture maps."""
    from .materials import RECIPES

    if bake is not None:
        if bake not in RECIPES:
            fail(f"--bake {bake}: unknown material; known: {', '.join(sorted(RECIPES))}")
        if out.exists() and not out.is_dir():
            fail(f"--out {out}: exists and is not a folder")
        from .core.scene import MaterialRef
        from .render.bake import bake_material, write_maps

        paths = write_maps(bake_material(MaterialRef(bake), size=size), out)
        err.print(f"[green]wrote[/] {', '.join(str(p) for p in paths)}")
        return
    if gallery is None:
        for name in sorted(RECIPES):
            doc = (RECIPES[name].__doc__ or "").strip().splitlines()
            typer.echo(f"{name:22s} {doc[0] if doc else ''}")
        return
    if gallery.suffix.lower() != ".png":
        fail(f"--gallery {gallery}: expected a .png path")
    unknown = [n for n in (only or []) if n not in RECIPES]
    if unknown:
        fail(f"--only {unknown[0]}: unknown material; known: {', '.join(sorted(RECIPES))}")
    from .io.png import write_png
    from .io.preview import contact_sheet
    from .render.gallery import render_gallery

    names = sorted(only) if only else sorted(RECIPES)
    with Progress(*_columns(), console=err) as progress:
        task = progress.add_task("materials", total=len(names))
        tiles = render_gallery(names, size=size, samples=samples,
                               progress=lambda n: progress.update(task, advance=1, description=n[:14]))
    gallery.parent.mkdir(parents=True, exist_ok=True)
    write_png(gallery, contact_sheet(tiles, columns=min(8, len(tiles)), max_tile_width=size))
    err.print(f"[green]wrote[/] {gallery} ({len(tiles)} materials)")


@app.command()
def scenes() -> None:
    """List the scene types."""
    from .scenes import SCENES

    for name, r in sorted(SCENES.items()):
        typer.echo(f"{name:12s} {r.description}")


def _register_optional_commands() -> None:
    try:
        from .stereo.cli import stereo_from_mono_command
    except ImportError:
        pass
    else:
        app.command("stereo-from-mono")(stereo_from_mono_command)
    from .dataset.cli import dataset_app
    from .render.export_cli import export_command

    app.command("export")(export_command)
    app.add_typer(dataset_app, name="dataset")


_register_optional_commands()


def main() -> None:
    try:
        app()
    except UserError as e:
        fail(str(e))


if __name__ == "__main__":
    sys.exit(main())
