"""`wildsynth dataset generate | shard | status`.

Registered by the main app (``app.add_typer(dataset_app, name="dataset")``).
Bad input prints one line naming the flag and what is allowed, exit code 2.
"""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from ..params import UserError
from .common import check_output_dir, err, fail, parse_resolution, run_options

DEVICES = ("auto", "cpu", "cuda", "optix", "hip", "metal")


def require(module: str, flag: str) -> None:
    """A one-line error when an optional dependency of the ``dataset`` extra is missing."""
    import importlib.util

    if importlib.util.find_spec(module) is None:
        raise UserError(f"{flag} needs {module}, which is not installed: pip install 'wildsynth[dataset]'")

dataset_app = typer.Typer(add_completion=False, no_args_is_help=True,
                          help="Many stills or shots: generate (resumable, local processes or Ray), pack shards, status.")


@dataset_app.command("generate")
def generate_command(
    scenes: str = typer.Option("meadow", "--scenes", help="scene mix NAME[:WEIGHT],..., e.g. forest:1,meadow:2"),
    count: int = typer.Option(1, "--count", help="number of jobs: stills, or whole shots with --frames/--rig"),
    seed: int = typer.Option(0, "--seed", help="seed of the first job; job i has seed + i"),
    workers: int = typer.Option(1, "--workers", help="jobs run at once (local processes, or local Ray CPUs)"),
    out: Path = typer.Option(Path("out/dataset"), "--out", help="output root (running again resumes it)"),
    ray: Optional[str] = typer.Option(None, "--ray", help="run on Ray: a cluster address (auto, ray://HOST:10001) or 'local'"),
    cpus_per_job: float = typer.Option(1.0, "--cpus-per-job", help="Ray CPUs reserved per job"),
    gpus_per_job: float = typer.Option(0.0, "--gpus-per-job", help="Ray GPUs reserved per job (0: none; local workers take one GPU each when there are GPUs)"),
    set_: Optional[List[str]] = typer.Option(None, "--set", help="override key=value for every scene, or SCENE:key=value (repeatable)"),
    resolution: str = typer.Option("1280x720", "--resolution", help="WIDTHxHEIGHT in pixels"),
    samples: int = typer.Option(64, "--samples", help="path-traced samples per pixel"),
    denoise: bool = typer.Option(True, "--denoise/--no-denoise", help="OpenImageDenoise on RGB"),
    device: str = typer.Option("auto", "--device", help="render device: auto, cpu, cuda, optix, hip, metal"),
    frames: int = typer.Option(1, "--frames", help="frames of each job's shot"),
    fps: float = typer.Option(24.0, "--fps", help="frames per second of the shot"),
    trajectory: Optional[str] = typer.Option(None, "--trajectory", help="camera path: static, walk, fly, orbit, dolly, pan (default: walk with --frames > 1)"),
    speed: Optional[float] = typer.Option(None, "--speed", help="camera speed, m/s (walk, fly, orbit, dolly)"),
    rig: Optional[str] = typer.Option(None, "--rig", help="camera rig: mono, stereo, multiview"),
    baseline: float = typer.Option(0.075, "--baseline", help="stereo baseline, m"),
    views: int = typer.Option(8, "--views", help="cameras of the multiview ring"),
    formats: Optional[str] = typer.Option(None, "--formats", help="comma list of exr,pfm,flo,kitti,coco,nerf,colmap,tracks,compact (default all but compact)"),
    motion: Optional[List[str]] = typer.Option(None, "--motion", help="moving things key=value, e.g. particles=300 (repeatable)"),
    ray_timeout: float = typer.Option(60.0, "--ray-timeout", help="seconds a --ray cluster has to answer before the run gives up"),
    task: str = typer.Option("frames", "--task", help="what each job makes: frames, pairs, nvs, clips, objects, world (docs/generative_data.md)"),
    task_option: Optional[List[str]] = typer.Option(None, "--task-option", help="the task's parameter key=value (repeatable), e.g. targets=2"),
) -> None:
    """Generate a dataset of stills or shots; jobs already done are skipped, failed or cut-short ones run again.

    Each job is one run of `wildsynth generate` with the same shot flags: a
    still by default, a sequence with --frames N, a stereo pair or multiview
    ring with --rig (docs/dataset.md). The output root is locked while the run
    writes it. Exit codes: 0 all done, 1 some jobs failed or the disk filled,
    2 bad input (nothing written), 128+N stopped by signal N (SIGTERM 143,
    SIGINT 130, SIGHUP 129; running jobs are ended and recorded as interrupted).
    """
    from ..dataset.jobs import make_spec, parse_mix, split_overrides
    from ..dataset.runners import RunStopped, generate_dataset
    from ..dataset.stop import Stop

    try:
        mix = parse_mix(scenes)
        width, height = parse_resolution(resolution)
        if workers < 1:
            raise UserError(f"--workers {workers}: must be at least 1")
        if not cpus_per_job > 0:
            raise UserError(f"--cpus-per-job {cpus_per_job}: must be > 0")
        if not gpus_per_job >= 0:
            raise UserError(f"--gpus-per-job {gpus_per_job}: must be >= 0")
        if not ray_timeout > 0:
            raise UserError(f"--ray-timeout {ray_timeout}: must be > 0 seconds")
        for flag, value, low in (("--count", count, 1), ("--seed", seed, 0), ("--samples", samples, 1)):
            if value < low:
                raise UserError(f"{flag} {value}: must be at least {low}")
        if device not in DEVICES:
            raise UserError(f"--device {device!r}: choose one of {', '.join(DEVICES)}")
        options = run_options(frames, fps, trajectory, speed, rig, baseline, views, formats, motion)
        if ray:
            require("ray", "--ray")
        check_output_dir(out)
        from ..tasks.base import parse_task_options

        spec = make_spec(scenes=mix, seed=seed, count=count, overrides=split_overrides(set_ or [], mix),
                         render={"width": width, "height": height, "samples": samples, "denoise": denoise,
                                 "device": device},
                         options=options, out=out, task=task, task_options=parse_task_options(task_option or []))
        summary = generate_dataset(spec, workers=workers, runner="ray" if ray else "local",
                                   ray_address=None if ray in (None, "local") else ray,
                                   cpus_per_job=cpus_per_job, gpus_per_job=gpus_per_job, console=err,
                                   ray_timeout=ray_timeout, stop=Stop())  # its handlers stay until exit
    except UserError as e:
        fail(str(e))
    except RunStopped as e:
        err.print(f"[bold red]{'stopped' if e.signum else 'error'}:[/] {e}", highlight=False, soft_wrap=True)
        raise typer.Exit(e.exit_code) from None
    s = summary
    if spec.task != "frames" and s.failed == 0:
        from ..tasks import finish_dataset

        try:
            finish_dataset(out)  # the task's root indexes (imagefolder metadata, object-set index)
        except UserError as e:
            fail(str(e))
    colour = "green" if s.failed == 0 else "yellow"
    err.print(f"[{colour}]{out}[/]: {s.done} rendered, {s.skipped} already done, {s.failed} failed "
              f"of {s.planned} jobs ({s.seconds:.1f} s)" + ("; run again to retry the failed ones" if s.failed else ""),
              highlight=False)
    if s.failed:
        raise typer.Exit(1)


@dataset_app.command("shard")
def shard_command(
    root: Path = typer.Argument(..., help="dataset output root"),
    maxcount: int = typer.Option(100, "--maxcount", help="jobs (samples) per shard"),
    out: Optional[Path] = typer.Option(None, "--out", help="folder for the shards (default ROOT/shards)"),
    previews: bool = typer.Option(True, "--previews/--no-previews", help="include the preview PNGs"),
) -> None:
    """Pack the finished jobs into WebDataset tar shards (shard-NNNNNN.tar + shards.json), one sample per job."""
    try:
        require("webdataset", "wildsynth dataset shard")
        from ..dataset.shards import write_shards

        if maxcount < 1:
            raise UserError(f"--maxcount {maxcount}: must be at least 1")
        report = write_shards(root, out, maxcount=maxcount, previews=previews)
    except UserError as e:
        fail(str(e))
    mb = report.bytes / 1e6
    err.print(f"[green]wrote[/] {len(report.shards)} shards, {report.samples} samples, {mb:.1f} MB "
              f"in {report.seconds:.1f} s to {report.shards[0].parent}", highlight=False)


@dataset_app.command("status")
def status_command(root: Path = typer.Argument(..., help="dataset output root"),
                   errors: int = typer.Option(5, "--errors", help="show the errors of this many failed jobs")) -> None:
    """Done, failed and pending job counts of a dataset root."""
    from ..dataset.jobs import load_spec, plan_jobs
    from ..dataset.manifest import job_status, latest_records

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
