"""`wildsynth dataset generate | shard | status`.

Registered by the main app (``app.add_typer(dataset_app, name="dataset")``).
Bad input prints one line naming the flag and what is allowed, exit code 2.
"""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from ..console import err, fail, parse_resolution
from ..params import UserError

dataset_app = typer.Typer(add_completion=False, no_args_is_help=True,
                          help="Many frames: generate (resumable, local processes or Ray), pack shards, status.")


@dataset_app.command("generate")
def generate_command(
    scenes: str = typer.Option("meadow", "--scenes", help="scene mix NAME[:WEIGHT],..., e.g. forest:1,meadow:2"),
    count: int = typer.Option(1, "--count", help="number of frames"),
    seed: int = typer.Option(0, "--seed", help="seed of the first frame; frame i has seed + i"),
    workers: int = typer.Option(1, "--workers", help="frames rendered at once (local processes, or local Ray CPUs)"),
    out: Path = typer.Option(Path("out/dataset"), "--out", help="output root (running again resumes it)"),
    ray: Optional[str] = typer.Option(None, "--ray", help="run on Ray: a cluster address (auto, ray://HOST:10001) or 'local'"),
    cpus_per_job: float = typer.Option(1.0, "--cpus-per-job", help="Ray CPUs reserved per frame"),
    set_: Optional[List[str]] = typer.Option(None, "--set", help="override key=value for every scene, or SCENE:key=value (repeatable)"),
    resolution: str = typer.Option("1280x720", "--resolution", help="WIDTHxHEIGHT in pixels"),
    samples: int = typer.Option(64, "--samples", help="path-traced samples per pixel"),
    denoise: bool = typer.Option(True, "--denoise/--no-denoise", help="OpenImageDenoise on RGB"),
) -> None:
    """Generate a dataset of frames; frames already done are skipped, failed ones run again."""
    from ..pipeline import check_output_dir
    from .jobs import make_spec, parse_mix, split_overrides
    from .runners import generate_dataset

    try:
        mix = parse_mix(scenes)
        width, height = parse_resolution(resolution)
        if workers < 1:
            raise UserError(f"--workers {workers}: must be at least 1")
        if not cpus_per_job > 0:
            raise UserError(f"--cpus-per-job {cpus_per_job}: must be > 0")
        for flag, value, low in (("--count", count, 1), ("--seed", seed, 0), ("--samples", samples, 1)):
            if value < low:
                raise UserError(f"{flag} {value}: must be at least {low}")
        check_output_dir(out)
        spec = make_spec(scenes=mix, seed=seed, count=count, overrides=split_overrides(set_ or [], mix),
                         render={"width": width, "height": height, "samples": samples, "denoise": denoise}, out=out)
        summary = generate_dataset(spec, workers=workers, runner="ray" if ray else "local",
                                   ray_address=None if ray in (None, "local") else ray,
                                   cpus_per_job=cpus_per_job, console=err)
    except UserError as e:
        fail(str(e))
    s = summary
    colour = "green" if s.failed == 0 else "yellow"
    err.print(f"[{colour}]{out}[/]: {s.done} rendered, {s.skipped} already done, {s.failed} failed "
              f"of {s.planned} ({s.seconds:.1f} s)" + ("; run again to retry the failed ones" if s.failed else ""),
              highlight=False)
    if s.failed:
        raise typer.Exit(1)


@dataset_app.command("shard")
def shard_command(
    root: Path = typer.Argument(..., help="dataset output root"),
    maxcount: int = typer.Option(100, "--maxcount", help="frames per shard"),
    out: Optional[Path] = typer.Option(None, "--out", help="folder for the shards (default ROOT/shards)"),
    previews: bool = typer.Option(True, "--previews/--no-previews", help="include the preview PNGs"),
) -> None:
    """Pack the finished frames into WebDataset tar shards (shard-NNNNNN.tar + shards.json)."""
    from .shards import write_shards

    try:
        if maxcount < 1:
            raise UserError(f"--maxcount {maxcount}: must be at least 1")
        if out is not None and out.exists() and not out.is_dir():
            raise UserError(f"--out {out}: exists and is not a folder")
        report = write_shards(root, out, maxcount=maxcount, previews=previews)
    except UserError as e:
        fail(str(e))
    mb = report.bytes / 1e6
    err.print(f"[green]wrote[/] {len(report.shards)} shards, {report.samples} frames, {mb:.1f} MB "
              f"in {report.seconds:.1f} s to {report.shards[0].parent}", highlight=False)


@dataset_app.command("status")
def status_command(root: Path = typer.Argument(..., help="dataset output root"),
                   errors: int = typer.Option(5, "--errors", help="show the errors of this many failed frames")) -> None:
    """Done, failed and pending frame counts of a dataset root."""
    from .jobs import load_spec, plan_jobs
    from .manifest import job_status, latest_records

    try:
        spec = load_spec(root)
    except UserError as e:
        fail(str(e))
    st = job_status(root, plan_jobs(spec))
    c = st.counts()
    typer.echo(f"done {c['done']}  failed {c['failed']}  pending {c['pending']}  total {c['total']}")
    latest = latest_records(root)
    for job in st.failed[:max(errors, 0)]:
        typer.echo(f"  failed {job.id}: {latest[job.id].get('error')}")
