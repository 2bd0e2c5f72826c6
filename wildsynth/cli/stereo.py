"""`wildsynth stereo-from-mono`: stereo pairs for every (image, depth) pair in two folders.

Registered by the main app as ``app.command("stereo-from-mono")(stereo_from_mono_command)``.
Bad input prints one line to stderr and exits with code 2.
"""

from __future__ import annotations

import sys
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from pathlib import Path
from typing import Optional

import typer

from ..stereo.batch import PairJob, run_job
from ..stereo.files import list_images, pair_folders
from ..stereo.params import StereoParams
from ..stereo.writing import pair_complete, parse_formats


def _fail(msg: str) -> None:
    typer.echo(f"error: {msg}", err=True)
    raise typer.Exit(2)


def _check_dir(path: Path, flag: str) -> None:
    if not path.exists():
        _fail(f"{flag} {path}: no such folder")
    if not path.is_dir():
        _fail(f"{flag} {path}: not a folder")


def _build_params(**kw) -> dict:
    try:
        return StereoParams(**kw).model_dump()
    except Exception as e:
        errs = e.errors() if hasattr(e, "errors") else None
        if errs:
            first = errs[0]
            loc = ".".join(str(p) for p in first.get("loc", ())) or "parameters"
            _fail(f"{loc}: {first.get('msg')} (got {first.get('input')!r})")
        _fail(str(e).splitlines()[0])
    return {}


def stereo_from_mono_command(
    images: Path = typer.Option(..., "--images", help="folder of left images (png, jpg, tif, exr)"),
    depth: Path = typer.Option(..., "--depth", help="folder of depth maps named like the images (pfm, exr, 16-bit png, npy)"),
    out: Path = typer.Option(..., "--out", help="output folder (left/, right/, disparity/, mask/, holes/, meta/)"),
    workers: int = typer.Option(1, "--workers", help="parallel worker processes"),
    fill: str = typer.Option("background", "--fill", help="hole filling: background | inpaint"),
    seed: int = typer.Option(0, "--seed", help="run seed; each pair derives its own stream from it and its name"),
    max_disp_min: float = typer.Option(50.0, "--max-disp-min", help="lower end of the sampled max disparity, px"),
    max_disp_max: float = typer.Option(192.0, "--max-disp-max", help="upper end of the sampled max disparity, px"),
    focal: Optional[float] = typer.Option(None, "--focal", help="focal length fx in px; with --baseline gives exact d = f*B/z"),
    baseline: Optional[float] = typer.Option(None, "--baseline", help="baseline in depth units (metres); needs --focal"),
    formats: str = typer.Option("pfm,kitti,npy", "--formats", help="disparity formats, comma separated: pfm, kitti (= png), npy"),
    inverse: bool = typer.Option(False, "--inverse", help="depth files hold inverse depth (e.g. monocular network output)"),
    backgrounds: Optional[Path] = typer.Option(None, "--backgrounds", help="folder of images for hole filling (default: the other input images)"),
    augment: bool = typer.Option(False, "--augment/--no-augment", help="training augmentations (right-image noise/blur/jitter, shared jitter p=0.5)"),
    sharpen: bool = typer.Option(True, "--sharpen/--no-sharpen", help="remove flying pixels at depth edges"),
    depth_png_scale: float = typer.Option(1000.0, "--depth-png-scale", help="16-bit depth PNG: depth = value / scale (1000 = millimetres)"),
    overwrite: bool = typer.Option(False, "--overwrite", help="redo pairs whose outputs already exist"),
) -> None:
    """Make stereo training pairs from single images and their depth (Watson et al. 2020)."""
    _check_dir(images, "--images")
    _check_dir(depth, "--depth")
    if backgrounds is not None:
        _check_dir(backgrounds, "--backgrounds")
    if workers < 1:
        _fail(f"--workers {workers}: must be >= 1")
    if fill not in ("background", "inpaint"):
        _fail(f"--fill {fill!r}: must be 'background' or 'inpaint'")
    if not depth_png_scale > 0:
        _fail(f"--depth-png-scale {depth_png_scale}: must be > 0")
    try:
        fmts = parse_formats(formats)
    except ValueError as e:
        _fail(f"--formats {formats!r}: {e}")
    params = _build_params(fill=fill, max_disp_min=max_disp_min, max_disp_max=max_disp_max, focal=focal,
                           baseline=baseline, inverse=inverse, augment=augment, sharpen=sharpen)
    if out.exists() and not out.is_dir():
        _fail(f"--out {out}: exists and is not a folder")

    pairs, missing = pair_folders(images, depth)
    if missing:
        more = f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""
        _fail(f"no depth file in {depth} for image {missing[0].name}{more}")
    if not pairs:
        _fail(f"--images {images}: no images found (png, jpg, jpeg, bmp, tif, tiff, exr)")
    bg_pool = tuple(list_images(backgrounds) if backgrounds is not None else [p for _, p, _ in pairs])

    todo = [(s, i, d) for s, i, d in pairs if overwrite or not pair_complete(out, s, fmts)]
    skipped = len(pairs) - len(todo)
    jobs = [PairJob(s, i, d, out, tuple(fmts), params, seed, bg_pool, depth_png_scale) for s, i, d in todo]
    out.mkdir(parents=True, exist_ok=True)
    error = _run(jobs, workers)
    if error is not None:
        _fail(error)
    typer.echo(f"wrote {len(jobs)} pair(s), skipped {skipped} already complete -> {out}")


def _run(jobs: list[PairJob], workers: int) -> str | None:
    """Run jobs with a rich progress bar; stop at the first bad input and return its message."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn("stereo-from-mono"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, transient=not sys.stderr.isatty(), disable=not jobs) as progress:
        task = progress.add_task("pairs", total=len(jobs))
        if workers == 1 or len(jobs) <= 1:
            for job in jobs:
                _, err = run_job(job)
                if err:
                    return err
                progress.advance(task)
            return None
        with ProcessPoolExecutor(max_workers=min(workers, len(jobs))) as pool:
            pending = set()
            it = iter(jobs)
            for job in it:  # keep a bounded number in flight so a failure stops the run quickly
                pending.add(pool.submit(run_job, job))
                if len(pending) >= 2 * workers:
                    break
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for fut in done:
                    _, err = fut.result()
                    if err:
                        for f in pending:
                            f.cancel()
                        return err
                    progress.advance(task)
                    nxt = next(it, None)
                    if nxt is not None:
                        pending.add(pool.submit(run_job, nxt))
    return None
