"""What every ``wildsynth`` command shares: the stderr console, one-line
failures (exit code 2) and ``--resolution`` parsing. Kept out of ``cli.py`` so
sub-command modules (``dataset/cli.py``, ``render/export_cli.py``) can import
them without importing the app that registers them."""

from __future__ import annotations

import re

import typer
from rich.console import Console

from .params import UserError

err = Console(stderr=True)


def fail(message: str) -> None:
    err.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(2)


def parse_resolution(text: str) -> tuple[int, int]:
    m = re.fullmatch(r"\s*(\d+)\s*[xX]\s*(\d+)\s*", text)
    if not m or int(m.group(1)) < 8 or int(m.group(2)) < 8 or int(m.group(1)) > 16384 or int(m.group(2)) > 16384:
        raise UserError(f"--resolution {text!r}: expected WIDTHxHEIGHT with each between 8 and 16384, e.g. 1280x720")
    return int(m.group(1)), int(m.group(2))
