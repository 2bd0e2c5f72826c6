"""`wildsynth stereo-from-mono`: stereo pairs for every (image, depth) pair in two folders.

Registered by the main app as ``app.command("stereo-from-mono")(stereo_from_mono_command)``.
Bad flags and folders print one line to stderr and exit with code 2, before
anything is written. A pair whose files are bad (unreadable, wrong size, a
depth map with several channels) does not stop the batch: it is reported on
one line, the other pairs are made, ``OUT/failures.json`` lists the failures
(when OUT exists), and the run ends with a summary line and exit code 1.
Folders are created only when a pair is written; an OS error writing (a full
disk) stops the batch with one line, exit code 2.
"""

from __future__ import annotations

import math
import sys
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from pathlib import Path
from typing import Optional

import typer

from ..params import UserError
from ..stereo.batch import PairJob, run_job
from ..stereo.files import list_images, pair_folders
from ..stereo.params import StereoParams
from ..stereo.writing import pair_complete, parse_formats
from .common import check_seed, check_writable_path, parse_path, print_error, validation_message

MAX_WORKERS = 256
SHOWN_FAILURES = 3  # failures printed one per line; the rest are counted (and listed in failures.json)
_FLAGS = {(name,): "--" + name.replace("_", "-") for name in StereoParams.model_fields}


def _check_dir(text: str, flag: str) -> Path:
    path = parse_path(text, flag)
    if not path.exists():
        raise UserError(f"{flag} {path}: no such folder")
    if not path.is_dir():
        raise UserError(f"{flag} {path}: not a folder")
    return path


def _finite(value: float | None, flag: str, positive: bool = True) -> None:
    if value is not None and not (math.isfinite(value) and (value > 0 or not positive)):
        raise UserError(f"{flag} {value}: must be a finite number > 0")


def _build_params(**kw) -> dict:
    from pydantic import ValidationError

    if kw["max_disp_min"] > kw["max_disp_max"]:
        raise UserError(f"--max-disp-min {kw['max_disp_min']}: must be <= --max-disp-max ({kw['max_disp_max']})")
    if (kw["focal"] is None) != (kw["baseline"] is None):
        raise UserError("--focal and --baseline must be given together (exact disparity f*B/z), or neither")
    try:
        return StereoParams(**kw).model_dump()
    except ValidationError as e:
        raise UserError(validation_message(e, _FLAGS)) from None


def stereo_from_mono_command(
    images: str = typer.Option(..., "--images", metavar="PATH", help="folder of left images (png, jpg, tif, exr)"),
    depth: str = typer.Option(..., "--depth", metavar="PATH", help="folder of depth maps named like the images (pfm, exr, 16-bit png, npy)"),
    out: str = typer.Option(..., "--out", metavar="PATH", help="output folder (left/, right/, disparity/, mask/, holes/, meta/)"),
    workers: int = typer.Option(1, "--workers", help=f"parallel worker processes (1 to {MAX_WORKERS})"),
    fill: str = typer.Option("background", "--fill", help="hole filling: background | inpaint"),
    seed: int = typer.Option(0, "--seed", help="run seed; each pair derives its own stream from it and its name"),
    max_disp_min: float = typer.Option(50.0, "--max-disp-min", help="lower end of the sampled max disparity, px"),
    max_disp_max: float = typer.Option(192.0, "--max-disp-max", help="upper end of the sampled max disparity, px"),
    focal: Optional[float] = typer.Option(None, "--focal", help="focal length fx in px; with --baseline gives exact d = f*B/z"),
    baseline: Optional[float] = typer.Option(None, "--baseline", help="baseline in depth units (metres); needs --focal"),
    formats: str = typer.Option("pfm,kitti,npy", "--formats", help="disparity formats, comma separated: pfm, kitti (= png), npy"),
    inverse: bool = typer.Option(False, "--inverse/--no-inverse", help="depth files hold inverse depth (e.g. monocular network output)"),
    backgrounds: Optional[str] = typer.Option(None, "--backgrounds", metavar="PATH", help="folder of images for hole filling (default: the other input images)"),
    augment: bool = typer.Option(False, "--augment/--no-augment", help="training augmentations (right-image noise/blur/jitter, shared jitter p=0.5)"),
    sharpen: bool = typer.Option(True, "--sharpen/--no-sharpen", help="remove flying pixels at depth edges"),
    depth_png_scale: float = typer.Option(1000.0, "--depth-png-scale", help="16-bit depth PNG: depth = value / scale (1000 = millimetres)"),
    overwrite: bool = typer.Option(False, "--overwrite/--no-overwrite", help="redo pairs whose outputs already exist"),
) -> None:
    """Make stereo training pairs from single images and their depth (Watson et al. 2020)."""
    try:
        images_dir = _check_dir(images, "--images")
        depth_dir = _check_dir(depth, "--depth")
        bg_dir = _check_dir(backgrounds, "--backgrounds") if backgrounds is not None else None
        out_dir = parse_path(out, "--out")
        check_writable_path(out_dir, "--out", folder=True)
        if not 1 <= workers <= MAX_WORKERS:
            raise UserError(f"--workers {workers}: must be between 1 and {MAX_WORKERS}")
        check_seed(seed)
        if fill not in ("background", "inpaint"):
            raise UserError(f"--fill {fill!r}: choose one of background, inpaint")
        for value, flag in ((max_disp_min, "--max-disp-min"), (max_disp_max, "--max-disp-max"), (focal, "--focal"),
                            (baseline, "--baseline"), (depth_png_scale, "--depth-png-scale")):
            _finite(value, flag)
        try:
            fmts = parse_formats(formats)
        except ValueError as e:
            raise UserError(f"--formats {formats!r}: {e}") from None
        params = _build_params(fill=fill, max_disp_min=max_disp_min, max_disp_max=max_disp_max, focal=focal,
                               baseline=baseline, inverse=inverse, augment=augment, sharpen=sharpen)
        pairs, missing = pair_folders(images_dir, depth_dir)
        if missing:
            more = f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""
            raise UserError(f"--depth {depth_dir}: no depth file for image {missing[0].name}{more} "
                            "(a depth file is named like its image, optionally with _depth)")
        if not pairs:
            raise UserError(f"--images {images_dir}: no images found (png, jpg, jpeg, bmp, tif, tiff, exr)")
    except UserError as e:
        print_error(str(e))
        raise typer.Exit(2) from None

    bg_pool = tuple(list_images(bg_dir) if bg_dir is not None else [p for _, p, _ in pairs])
    todo = [(s, i, d) for s, i, d in pairs if overwrite or not pair_complete(out_dir, s, fmts)]
    skipped = len(pairs) - len(todo)
    jobs = [PairJob(s, i, d, out_dir, tuple(fmts), params, seed, bg_pool, depth_png_scale) for s, i, d in todo]
    failures = _run(jobs, workers)
    _record_failures(out_dir, failures)
    wrote = len(jobs) - len(failures)
    for job, msg in failures[:SHOWN_FAILURES]:
        print_error(f"pair {job.stem}: {msg}")
    summary = f"wrote {wrote} pair(s), skipped {skipped} already complete"
    if failures:
        more = f" ({len(failures) - SHOWN_FAILURES} more not shown)" if len(failures) > SHOWN_FAILURES else ""
        listed = f"; listed in {out_dir / 'failures.json'}" if out_dir.is_dir() else ""
        typer.echo(f"{summary}, {len(failures)} failed{more}{listed} -> {out_dir}", err=True)
        raise typer.Exit(1)
    typer.echo(f"{summary} -> {out_dir}")


def _record_failures(out: Path, failures: list[tuple[PairJob, str]]) -> None:
    """``OUT/failures.json`` lists this run's failed pairs (removed when there are none); not written
    into an OUT that does not exist (no pair was written)."""
    from ..io.atomic import write_json

    path = out / "failures.json"
    if not out.is_dir():
        return
    if not failures:
        path.unlink(missing_ok=True)
    else:
        write_json(path, [{"stem": j.stem, "image": str(j.image), "depth": str(j.depth), "error": m}
                          for j, m in failures])


def _run(jobs: list[PairJob], workers: int) -> list[tuple[PairJob, str]]:
    """Run every job with a progress bar; returns the (job, one-line error) of the pairs that failed.
    An exception other than a pair's bad input (an OSError writing) stops the batch and propagates."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    failures: list[tuple[PairJob, str]] = []
    columns = (TextColumn("stereo-from-mono"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    progress = Progress(*columns, transient=not sys.stderr.isatty(), disable=not jobs)
    with progress:
        task = progress.add_task("pairs", total=len(jobs))
        if workers == 1 or len(jobs) <= 1:
            for job in jobs:
                _, error = run_job(job)
                if error:
                    failures.append((job, error))
                progress.advance(task)
            return failures
        with ProcessPoolExecutor(max_workers=min(workers, len(jobs))) as pool:
            pending: dict = {}
            it = iter(jobs)
            for job in it:  # a bounded number in flight: a fatal error stops the batch quickly
                pending[pool.submit(run_job, job)] = job
                if len(pending) >= 2 * workers:
                    break
            try:
                while pending:
                    done, _ = wait(pending, return_when=FIRST_COMPLETED)
                    for fut in done:
                        job = pending.pop(fut)
                        _, error = fut.result()
                        if error:
                            failures.append((job, error))
                        progress.advance(task)
                        nxt = next(it, None)
                        if nxt is not None:
                            pending[pool.submit(run_job, nxt)] = nxt
            except BaseException:
                for f in pending:
                    f.cancel()
                raise
    return failures
