"""`wildsynth objects`: a set of single procedural assets rendered from posed views, in the layout of
Zero-1-to-3, Point-E / Shap-E or NeRF (docs/generative_data.md).

Registered by the main app as ``app.command("objects")(objects_command)``. Every flag is checked
(``objects.params.ObjectSetParams``) and the output folder too before bpy loads; bad input is
one line naming the flag, exit code 2, and nothing is created. A rerun into the same folder with
the same parameters resumes (finished objects are kept).
"""

from __future__ import annotations

import typer

from ..params import UserError
from .common import check_device, check_writable_path, err, fail, parse_path, progress_display, validation_message

_FLAGS = {("kind",): "--kind", ("count",): "--count", ("views",): "--views", ("size",): "--size",
          ("layout",): "--layout", ("seed",): "--seed", ("samples",): "--samples", ("light",): "--light",
          ("points",): "--points", ("split",): "--split", ("device",): "--device", ("threads",): "--threads",
          ("denoise",): "--denoise"}


def _split(text: str) -> tuple[float, ...]:
    try:
        parts = tuple(float(x) for x in text.split(","))
    except ValueError:
        raise UserError(f"--split {text!r}: expected three fractions TRAIN,VAL,TEST, e.g. 0.8,0.1,0.1") from None
    if len(parts) != 3:
        raise UserError(f"--split {text!r}: expected three fractions TRAIN,VAL,TEST, e.g. 0.8,0.1,0.1")
    return parts


def objects_command(
    kind: str = typer.Option(..., "--kind", help="asset kind (e.g. rock_boulder, tree_oak, mushroom), a group "
                                                 "(rocks, trees, plants), a comma list of them, or all"),
    count: int = typer.Option(..., "--count", help="number of assets (each its own seed)"),
    views: int = typer.Option(12, "--views", help="posed views per asset"),
    size: int = typer.Option(256, "--size", help="square image size in pixels"),
    layout: str = typer.Option("zero123", "--layout", help="zero123, pointe or nerf"),
    out: str = typer.Option(..., "--out", metavar="DIR", help="output folder (a rerun with the same flags resumes)"),
    seed: int = typer.Option(0, "--seed", help="root seed of the set (0 to 2**63-1)"),
    samples: int = typer.Option(16, "--samples", help="path-traced samples per pixel"),
    light: str = typer.Option("uniform", "--light", help="uniform (white world, no sun) or sky (sun and sky)"),
    points: int = typer.Option(16384, "--points", help="surface samples per asset (pointe layout)"),
    split: str = typer.Option("0.8,0.1,0.1", "--split", help="train,val,test fractions, drawn per asset seed"),
    denoise: bool = typer.Option(True, "--denoise/--no-denoise", help="OpenImageDenoise on the beauty pass"),
    device: str = typer.Option("auto", "--device", help="render device: auto, cpu, cuda, optix, hip, metal"),
    threads: int = typer.Option(0, "--threads", help="CPU threads (0 = all cores)"),
) -> None:
    """Render single procedural assets from random posed views: RGBA, albedo, depth, normals, mask,
    cameras and (pointe) exact coloured surface samples. Split train/val/test by asset seed."""
    from pydantic import ValidationError

    from ..objects.params import ObjectSetParams

    try:
        out_path = parse_path(out)
        check_device(device)
        given = {"kind": kind, "count": count, "views": views, "size": size, "layout": layout, "seed": seed,
                 "samples": samples, "light": light, "points": points, "split": _split(split),
                 "denoise": denoise, "device": device, "threads": threads}
        try:
            params = ObjectSetParams(**given)
        except ValidationError as e:
            raise UserError(validation_message(e, _FLAGS, {"--split": split})) from None
        check_writable_path(out_path, "--out", folder=True)
        from ..objects.build import LOCK, MANIFEST, check_resume, memory_estimate_mb
        from ..run.pipeline import available_memory_mb

        need, have = memory_estimate_mb(params), available_memory_mb()
        if have is not None and need > have:
            raise UserError(f"--size {size} --views {views}: needs about {need / 1024:.1f} GB of memory per object, "
                            f"{have / 1024:.1f} GB is available; use a smaller --size or fewer --views")

        if out_path.is_dir() and any(p.name != LOCK for p in out_path.iterdir()):
            if not (out_path / MANIFEST).exists():
                raise UserError(f"--out {out}: folder holds other files (not an object set); choose a new or "
                                "empty folder")
            try:
                check_resume(out_path, params)
            except ValueError as e:
                raise UserError(str(e)) from None
    except UserError as e:
        fail(str(e))

    from ..objects.build import make_object_set  # the package registers every layout

    with progress_display() as progress:
        task = progress.add_task("objects", total=params.count)

        def report(done: int, total: int, uid: str) -> None:
            progress.update(task, completed=done, description=uid[:14] or "objects")

        manifest = make_object_set(params, out_path, report)
    n = {s: sum(r["split"] == s for r in manifest["objects"]) for s in ("train", "val", "test")}
    err.print(f"[green]wrote[/] {out_path}: {manifest['count']} objects x {params.views} views, layout "
              f"{params.layout} ({manifest['rendered_now']} rendered now, {manifest['seconds']:.1f} s; "
              f"train {n['train']}, val {n['val']}, test {n['test']})", highlight=False)
