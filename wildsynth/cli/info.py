"""`wildsynth params`, `scenes` and `materials`: what there is to choose from."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from ..params import UserError, describe
from .common import check_output_dir, check_writable_path, err, fail, progress_columns


def params(scene: str = typer.Argument("meadow", help="scene type")) -> None:
    """List every parameter of a scene with its default, allowed range and description."""
    from ..scenes import get as get_scene

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



def materials(
    gallery: Optional[Path] = typer.Option(None, "--gallery", help="write a labelled grid of every material to this PNG"),
    size: int = typer.Option(256, "--size", min=32, max=2048, help="tile size in pixels"),
    samples: int = typer.Option(16, "--samples", min=1, max=4096, help="samples per tile"),
    only: Optional[List[str]] = typer.Option(None, "--only", help="render only these materials (repeatable)"),
    bake: Optional[str] = typer.Option(None, "--bake", help="bake this material to PBR maps (base_color, roughness, normal PNGs)"),
    out: Path = typer.Option(Path("out/maps"), "--out", help="folder for --bake maps"),
) -> None:
    """List the material recipes, render them all to a gallery image, or bake one to texture maps."""
    from ..materials import RECIPES

    if bake is not None:
        if bake not in RECIPES:
            fail(f"--bake {bake}: unknown material; known: {', '.join(sorted(RECIPES))}")
        try:
            check_output_dir(out)
        except UserError as e:
            fail(str(e))
        from ..core.scene import MaterialRef
        from ..render.bake import bake_material, write_maps

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
    try:
        check_writable_path(gallery, "--gallery", folder=False)
    except UserError as e:
        fail(str(e))
    unknown = [n for n in (only or []) if n not in RECIPES]
    if unknown:
        fail(f"--only {unknown[0]}: unknown material; known: {', '.join(sorted(RECIPES))}")
    from ..io.png import write_png
    from ..io.preview import contact_sheet
    from ..render.gallery import render_gallery

    names = sorted(only) if only else sorted(RECIPES)
    with Progress(*progress_columns(), console=err) as progress:
        task = progress.add_task("materials", total=len(names))
        tiles = render_gallery(names, size=size, samples=samples,
                               progress=lambda n: progress.update(task, advance=1, description=n[:14]))
    gallery.parent.mkdir(parents=True, exist_ok=True)
    write_png(gallery, contact_sheet(tiles, columns=min(8, len(tiles)), max_tile_width=size))
    err.print(f"[green]wrote[/] {gallery} ({len(tiles)} materials)")



def scenes() -> None:
    """List the scene types."""
    from ..scenes import SCENES

    width = max(map(len, SCENES))
    for name, r in sorted(SCENES.items()):
        typer.echo(f"{name:{width}s} {r.description}")
