"""`wildsynth export`: one generated scene as a glTF binary (.glb) or USD file.

Registered by the main app as ``app.command("export")(export_command)``.
Bad input prints one line naming the flag and what is allowed, exit code 2,
and nothing is written.
"""

from __future__ import annotations

from typing import List, Optional

import typer

from ..params import UserError
from .common import check_writable_path, err, fail, parse_path, scene_request


def export_command(
    scene: str = typer.Option("meadow", "--scene", help="scene type (see `wildsynth scenes`)"),
    seed: int = typer.Option(0, "--seed", help="root seed (0 to 2**63-1); the same seed gives the same scene as `generate`"),
    out: str = typer.Option(..., "--out", metavar="PATH", help="output file: .glb (glTF binary) or .usd / .usdc / .usda"),
    set_: Optional[List[str]] = typer.Option(None, "--set", help="parameter override key=value (repeatable)"),
    resolution: str = typer.Option("1280x720", "--resolution", help="WIDTHxHEIGHT of the exported camera"),
    exclude: Optional[List[str]] = typer.Option(None, "--exclude", help="leave out a semantic class, e.g. grass (repeatable)"),
) -> None:
    """Export the scene's geometry, instance ids, classes, materials (PBR factors) and camera.

    Instanced things (grass, leaves, rocks) stay instances: EXT_mesh_gpu_instancing in
    glTF, PointInstancer in USD. See docs/export.md.
    """
    from ..core.labels import label
    from ..core.seeds import SeedTree
    from ..run import compose

    try:
        out_path = parse_path(out)
        recipe, width, height, params = scene_request(scene, seed, resolution, set_)
        for name in exclude or []:
            try:
                label(name)
            except KeyError as e:
                raise UserError(f"--exclude {name}: {e.args[0]}") from None
        check_writable_path(out_path, "--out", folder=False)
        from ..render.export import FORMATS, export_format  # loads bpy: after the cheap checks

        if out_path.is_dir():
            raise UserError(f"--out {out}: is a folder; give a file path ending in {', '.join(FORMATS)}")
        try:
            export_format(out_path)
        except ValueError as e:
            raise UserError(f"--out {e}") from None
    except UserError as e:
        fail(str(e))
    out = out_path

    from ..render.export import export_scene

    with err.status(f"building {scene} (seed {seed})"):
        _c = compose(recipe, params, SeedTree(seed), width, height)
        built, rig, _ = _c.scene, _c.rig, _c.report
    with err.status(f"writing {out}"):
        try:
            result = export_scene(built, rig, out, exclude=exclude or [])
        except ValueError as e:
            fail(str(e))
    err.print(f"[green]wrote[/] {out}  ({result.bytes / 1e6:.1f} MB, {result.seconds:.1f} s; "
              f"{result.objects} objects, {result.instances:,} instances, {result.mesh_triangles:,} triangles stored "
              f"for {result.scene_triangles:,} in the scene, {result.cameras} camera(s))", highlight=False)
