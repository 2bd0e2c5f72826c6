"""The ``wildsynth`` command: one module per sub-command, shared helpers in ``common.py``."""

from __future__ import annotations

import sys

import typer

from ..params import UserError
from .common import fail
from .dataset import dataset_app
from .export import export_command
from .generate import generate
from .info import materials, params, scenes
from .stereo import stereo_from_mono_command

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Procedural natural worlds, path traced with Cycles, with exact ground truth.")
app.command()(generate)
app.command()(params)
app.command()(scenes)
app.command()(materials)
app.command("stereo-from-mono")(stereo_from_mono_command)
app.command("export")(export_command)
app.add_typer(dataset_app, name="dataset")


def main() -> None:
    try:
        app()
    except UserError as e:
        fail(str(e))


if __name__ == "__main__":
    sys.exit(main())
