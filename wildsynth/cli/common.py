"""What every ``wildsynth`` command shares: the stderr console, one-line
failures (exit code 2), ``--resolution`` and shot-flag parsing, the output
folder check and the progress reporter. Sub-command modules import it, never
the app that registers them."""

from __future__ import annotations

import contextlib
import errno
import os
import re
import typing
from pathlib import Path
from typing import Iterator, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.text import Text

from ..params import UserError

err = Console(stderr=True)

MAX_SEED = 2**63 - 1  # seeds are stored as int64 (scene.json, dataset manifests); SeedTree takes any of them


def one_line(message: str) -> str:
    """``message`` with every run of whitespace (newlines too) made one space."""
    return " ".join(str(message).split())


def print_error(message: str) -> None:
    """``error: message`` on stderr, one line (never read as rich markup)."""
    err.print(Text.assemble(("error: ", "bold red"), one_line(message)), highlight=False, soft_wrap=True)


def fail(message: str) -> None:
    print_error(message)
    raise typer.Exit(2)


def parse_resolution(text: str) -> tuple[int, int]:
    m = re.fullmatch(r"\s*(\d+)\s*[xX]\s*(\d+)\s*", text)
    if not m or int(m.group(1)) < 8 or int(m.group(2)) < 8 or int(m.group(1)) > 16384 or int(m.group(2)) > 16384:
        raise UserError(f"--resolution {text!r}: expected WIDTHxHEIGHT with each between 8 and 16384, e.g. 1280x720")
    return int(m.group(1)), int(m.group(2))


def check_seed(seed: int, flag: str = "--seed") -> int:
    if not 0 <= seed <= MAX_SEED:
        raise UserError(f"{flag} {seed}: must be between 0 and {MAX_SEED} (2**63-1)")
    return seed


def parse_path(text: str, flag: str = "--out") -> Path:
    """A path flag given as text (``Path("")`` would silently be the current folder)."""
    if not text.strip():
        raise UserError(f"{flag} {text!r}: empty path; give a folder, e.g. {flag} out/frame (or {flag} . for the "
                        "current folder)")
    if "\0" in text:
        raise UserError(f"{flag} {text!r}: a path cannot hold a NUL character")
    return Path(text)


def _nearest_existing(path: Path) -> Path:
    p = path.absolute()
    while not os.path.lexists(p):
        p = p.parent
    return p


def scene_request(scene: str, seed: int, resolution: str, overrides: list[str] | None):
    """The checks every scene-building command starts with: seed, scene name, resolution, ``--set``.
    Returns (recipe, width, height, params); raises ``UserError`` naming the flag."""
    from ..params import apply_overrides
    from ..scenes import get as get_scene

    check_seed(seed)
    try:
        recipe = get_scene(scene)
    except KeyError as e:
        raise UserError(f"--scene {scene}: {e.args[0]}") from None
    width, height = parse_resolution(resolution)
    return recipe, width, height, apply_overrides(recipe.params, overrides or [], what=scene)


def check_writable_path(path: Path, flag: str = "--out", folder: bool = True) -> None:
    """A path that can be created or written, checked without creating anything: every existing
    ancestor a folder, every name within the file system's NAME_MAX, the whole path within
    PATH_MAX, the nearest existing ancestor writable, and ``path`` itself a folder (``folder``)
    or not a folder (a file to write)."""
    kind = "folder" if folder else "file"
    if os.path.lexists(path):
        if folder and not path.is_dir():
            raise UserError(f"--out {path}: exists and is not a folder; choose a folder path".replace("--out", flag))
        if not folder and path.is_dir():
            raise UserError(f"{flag} {path}: is a folder; give a {kind} path")
    base = _nearest_existing(path)
    if not base.is_dir() and base != path.absolute():
        raise UserError(f"{flag} {path}: {base} is a file, not a folder; choose a {kind} path that is not below a file")
    try:
        name_max = os.pathconf(base if base.is_dir() else base.parent, "PC_NAME_MAX")
        path_max = os.pathconf(base if base.is_dir() else base.parent, "PC_PATH_MAX")
    except (OSError, ValueError):
        name_max, path_max = 255, 4096
    for part in path.parts:
        if len(os.fsencode(part)) > name_max:
            raise UserError(f"{flag} {path}: the name {part[:24]}... is {len(os.fsencode(part))} bytes long; "
                            f"this file system allows at most {name_max}")
    if len(os.fsencode(str(path.absolute()))) >= path_max:
        raise UserError(f"{flag} {path}: the path is longer than this file system's limit of {path_max} bytes")
    target = base if base.is_dir() else base.parent
    if not os.access(target, os.W_OK | os.X_OK):
        reason = "is on a read-only file system" if _read_only(target) else "is not writable"
        raise UserError(f"{flag} {path}: {target} {reason}")


def _read_only(path: Path) -> bool:
    try:
        return bool(os.statvfs(path).f_flag & os.ST_RDONLY)
    except OSError:
        return False


def check_output_dir(out: Path) -> None:
    """An output folder that can be written (``check_writable_path``); creates nothing."""
    check_writable_path(out, "--out", folder=True)


FULL_DISK = {errno.ENOSPC: "no space left on device", errno.EDQUOT: "disk quota exceeded",
             errno.EROFS: "read-only file system", errno.EACCES: "permission denied",
             errno.EPERM: "operation not permitted"}


def os_error_message(e: OSError) -> str | None:
    """One line for the OS errors a run can meet writing its output (None for others):
    ``no space left on device writing PATH``."""
    if e.errno not in FULL_DISK:
        return None
    where = e.filename or getattr(e, "wildsynth_path", None)
    return f"{FULL_DISK[e.errno]} writing {where}" if where else f"{FULL_DISK[e.errno]} while writing the output"


def progress_columns() -> tuple:
    return (SpinnerColumn(), TextColumn("{task.description:<14}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
            TimeElapsedColumn())


class RichReporter:
    """Stage names with a spinner, and a bar for the render (a still) or the frames (a shot)."""

    def __init__(self, progress: Progress):
        self.progress = progress
        self.render_task = None
        self.seen: set[str] = set()

    @contextlib.contextmanager
    def stage(self, name: str) -> Iterator[None]:
        label = name.replace("_", " ")
        if name in self.seen:  # a stage repeated per frame of a shot: one line, not one per call
            yield
            return
        self.seen.add(name)
        if name in ("render_rgb", "ground_truth") and self.render_task is None:
            self.render_task = self.progress.add_task("render", total=1.0)
        task = self.progress.add_task(label, total=None)
        yield
        self.progress.update(task, total=1.0, completed=1.0)

    def render_progress(self, fraction: float) -> None:
        if self.render_task is not None:
            self.progress.update(self.render_task, completed=fraction)

    def finish(self) -> None:
        if self.render_task is not None:
            self.progress.update(self.render_task, completed=1.0)


def choices(model: type, field: str) -> tuple[str, ...]:
    """The allowed values of a Literal field of a pydantic model (the CLI never repeats them)."""
    return tuple(typing.get_args(model.model_fields[field].annotation))


def _shot_choices() -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    from ..camera.shot import ShotOptions
    from ..camera.trajectories import TrajectoryParams
    from ..render.settings import RenderSettings

    return choices(TrajectoryParams, "kind"), choices(ShotOptions, "rig"), choices(RenderSettings, "device")


def check_device(device: str) -> str:
    devices = _shot_choices()[2]
    if device not in devices:
        raise UserError(f"--device {device!r}: choose one of {', '.join(devices)}")
    return device


def pydantic_reason(x: dict) -> str:
    """One pydantic error (``e.errors()[i]``) as a short reason: ``must be <= 65536``."""
    ctx = x.get("ctx") or {}
    for key, op in (("ge", ">="), ("gt", ">"), ("le", "<="), ("lt", "<")):
        if key in ctx and x["type"].startswith(("greater", "less")):
            return f"must be {op} {ctx[key]}"
    if x["type"] == "literal_error" and "expected" in ctx:
        return f"choose one of {ctx['expected'].replace(' or ', ', ')}"
    if x["type"] in ("int_parsing", "int_from_float", "int_type"):
        return "must be a whole number"
    if x["type"] in ("float_parsing", "float_type", "finite_number"):
        return "must be a finite number"
    msg = one_line(x.get("msg", "invalid"))
    for prefix in ("Value error, ", "Assertion failed, "):
        msg = msg.removeprefix(prefix)
    return msg[:1].lower() + msg[1:]


def validation_message(e, flags: dict[tuple, str], given: dict[str, object] | None = None) -> str:
    """The first error of a pydantic ``ValidationError`` as ``FLAG VALUE: reason``; ``flags`` maps
    an error's ``loc`` (a tuple, or its last element alone) to the flag that set it, and
    ``given`` a flag to the value as the user typed it."""
    x = e.errors(include_url=False)[0]
    loc = tuple(x.get("loc", ()))
    flag = flags.get(loc) or (flags.get(loc[-1:]) if loc else None) or ("--" + ".".join(map(str, loc)) if loc else "")
    value = (given or {}).get(flag, x.get("input"))
    shown = "" if isinstance(value, dict) or value is None else f" {value}"
    return f"{flag}{shown}: {pydantic_reason(x)}" if flag else pydantic_reason(x)


_SHOT_FLAGS = {("shot", "frames"): "--frames", ("shot", "fps"): "--fps", ("shot", "rig"): "--rig",
               ("shot", "baseline"): "--baseline", ("shot", "views"): "--views",
               ("shot", "trajectory", "kind"): "--trajectory", ("shot", "trajectory", "speed"): "--speed",
               ("formats",): "--formats"}


def run_options(frames: int, fps: float, trajectory: Optional[str], speed: Optional[float], rig: Optional[str],
                baseline: float, views: int, formats: Optional[str], motion: Optional[list[str]]):
    """The shot flags of ``generate`` and ``dataset generate`` as ``RunOptions``; one-line errors name the flag."""
    import math

    from pydantic import ValidationError

    from ..generators.motion import MotionParams
    from ..params import apply_overrides
    from ..run import FORMATS, RunOptions
    from ..run.formats import default_formats

    if frames < 1:
        raise UserError(f"--frames {frames}: must be at least 1")
    if not (fps > 0 and math.isfinite(fps)):
        raise UserError(f"--fps {fps}: must be a finite number > 0")
    trajectories, rigs, _ = _shot_choices()
    if trajectory is not None and trajectory not in trajectories:
        raise UserError(f"--trajectory {trajectory!r}: choose one of {', '.join(trajectories)}")
    if rig is not None and rig not in rigs:
        raise UserError(f"--rig {rig!r}: choose one of {', '.join(rigs)}")
    if not (baseline > 0 and math.isfinite(baseline)):
        raise UserError(f"--baseline {baseline}: must be a finite number > 0 (metres)")
    if views < 1:
        raise UserError(f"--views {views}: must be at least 1")
    if speed is not None and not (speed >= 0 and math.isfinite(speed)):
        raise UserError(f"--speed {speed}: must be a finite number >= 0 (m/s)")
    fmts = default_formats()
    if formats is not None:
        fmts = tuple(f.strip().lower() for f in formats.split(",") if f.strip())
        if not fmts:
            raise UserError(f"--formats {formats!r}: no format given; for PNG previews and JSON only use "
                            f"--formats png, else a comma list of {', '.join(FORMATS)}")
        bad = [f for f in fmts if f not in FORMATS and f != "png"]
        if bad:
            raise UserError(f"--formats {formats!r}: unknown {', '.join(bad)}; allowed: png, {', '.join(FORMATS)} "
                            "(PNG previews and JSON are always written)")
        fmts = tuple(f for f in fmts if f != "png")
    traj = {"kind": trajectory or ("walk" if frames > 1 else "static")}
    if speed is not None:
        traj["speed"] = speed
    motion_params = apply_overrides(MotionParams, motion or [], what="motion", flag="--motion", listing=None)
    try:
        return RunOptions(shot={"frames": frames, "fps": fps, "rig": rig or "mono", "baseline": baseline,
                                "views": views, "trajectory": traj}, motion=motion_params, formats=fmts)
    except ValidationError as e:
        raise UserError(validation_message(e, _SHOT_FLAGS)) from None


_RENDER_FLAGS = {("samples",): "--samples", ("width",): "--resolution", ("height",): "--resolution",
                 ("device",): "--device"}


def render_settings(width: int, height: int, samples: int, denoise: bool, device: str,
                    overrides: Optional[list[str]] = None, resolution: str = ""):
    """``RenderSettings`` from the flags and ``--render key=value`` overrides (exposure, fstop, iso, ...);
    one-line errors name the flag."""
    from pydantic import ValidationError

    from ..params import apply_overrides
    from ..render.settings import RenderSettings

    base = apply_overrides(RenderSettings, overrides or [], what="render", flag="--render", listing=None)
    try:
        return RenderSettings.model_validate({**base.model_dump(), "width": width, "height": height,
                                              "samples": samples, "denoise": denoise, "device": device})
    except ValidationError as e:
        raise UserError(validation_message(e, _RENDER_FLAGS, {"--resolution": resolution})) from None


@contextlib.contextmanager
def progress_display() -> Iterator[Progress]:
    """A rich progress display on stderr that leaves nothing behind when the work fails
    (so a failure's stderr is its one error line)."""
    progress = Progress(*progress_columns(), console=err, transient=False)
    with progress:
        try:
            yield progress
        except BaseException:
            progress.live.transient = True
            raise


def check_memory(width: int, height: int, options, scene: str) -> None:
    """Refuse a run whose estimated peak memory (``wildsynth.run.pipeline.memory_estimate``) exceeds the
    memory available now; the message names the largest resolution of the same aspect that fits."""
    from ..run.pipeline import available_memory_mb, largest_fitting, memory_estimate

    need = memory_estimate(width, height, options, scene)
    have = available_memory_mb()
    if have is None or need <= have:
        return
    fit = largest_fitting(width, height, options, have, scene)
    hint = (f"at most {fit[0]}x{fit[1]} of this aspect fits" if fit
            else "no resolution of this shot fits; free memory or render fewer views at once")
    raise UserError(f"--resolution {width}x{height}: needs about {need / 1024:.1f} GB of memory for this "
                    f"{scene} run, {have / 1024:.1f} GB available; {hint}")


def _remove_empty(folders: list[Path]) -> None:
    for d in folders:  # deepest first
        try:
            d.rmdir()
        except OSError:
            break


@contextlib.contextmanager
def output_lock(out: Path, exits=None) -> Iterator[Path]:
    """Hold the lock of output folder ``out`` (``.<name>.lock`` beside it; inside it when it is a
    mount point) and yield the folder the lock is in. Missing parent folders are created for it
    and removed again afterwards if they are still empty (a failed run leaves nothing). With
    ``exits`` (a ``signals.SignalExit``), a signal that ends the command does the same."""
    from ..io.lock import RunLock

    out = Path(os.path.abspath(out))
    inside = out.is_dir() and os.path.ismount(out)
    where = out if inside else out.parent
    created: list[Path] = []
    p = where
    while not p.exists():
        created.append(p)
        p = p.parent
    try:
        for d in reversed(created):
            d.mkdir()
        with RunLock(where / (".wildsynth.lock" if inside else f".{out.name}.lock"), what=f"--out {out}") as lock:
            undo = (exits.cleanup(lambda: (lock.release(), _remove_empty(created))) if exits is not None
                    else contextlib.nullcontext())
            with undo:
                yield where
    finally:
        _remove_empty(created)
