"""The ``wildsynth`` command: one module per sub-command, shared helpers in ``common.py``.

Every failure the user can cause or meet ends as one line on stderr, never a
traceback: bad flags (click's and typer's own usage errors too), ``UserError``
from the checks, and the OS errors of writing output (a full disk, a quota, a
read-only or forbidden folder) are all ``error: ...`` with exit code 2.
Exit code 1 is a batch that ran but had failures (``stereo-from-mono``,
``dataset generate``); 130 an interrupt; a bare ``wildsynth`` (or group)
prints its help on stdout, exit code 0. Anything else is a bug and keeps its
traceback.
"""

from __future__ import annotations

import re
import sys

import typer
from typer.core import TyperGroup

try:  # typer >= 0.26 carries its own click
    from typer._click.exceptions import ClickException, NoArgsIsHelpError, UsageError
except ImportError:  # pragma: no cover  (older typer on click)
    from click.exceptions import ClickException, NoArgsIsHelpError, UsageError

from ..params import UserError
from .captions import captions_command
from .common import os_error_message, print_error
from .dataset import dataset_app
from .evaluate import evaluate_command
from .export import export_command
from .generate import generate
from .info import materials, params, scenes
from .layout import export_layout_command
from .objects import objects_command
from .stereo import stereo_from_mono_command
from .view import view_command


class OneLineErrors(TyperGroup):
    """The app's group: runs the command without click's standalone error printing, and
    turns every expected failure into ``error: <one line>``, exit code 2."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        try:
            rv = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except NoArgsIsHelpError as e:  # bare `wildsynth` / `wildsynth dataset`: the help, on stdout
            typer.echo(e.format_message())
            sys.exit(0)
        except ClickException as e:
            print_error(_click_message(e, list(sys.argv[1:] if args is None else args)))
            sys.exit(2)
        except typer.Abort:
            print_error("aborted")
            sys.exit(130)
        except UserError as e:
            print_error(str(e))
            sys.exit(2)
        except MemoryError:
            print_error("out of memory (the request is larger than the memory estimate allowed for); try a "
                        "smaller --resolution or fewer views")
            sys.exit(2)
        except OSError as e:
            msg = os_error_message(e)
            if msg is None:
                raise
            print_error(msg)
            sys.exit(2)
        sys.exit(rv if isinstance(rv, int) else 0)


def _click_message(e: ClickException, args: list[str]) -> str:
    """click's message with the command it belongs to, and a pointer to --help."""
    msg = e.format_message()
    ctx = getattr(e, "ctx", None)
    m = re.search(r"unexpected extra argument(?:s|\(s\))? \((.*)\)", msg)
    if m and m.group(1).strip().lower() in _BOOL_WORDS:  # `--inverse true`: switches take no value
        word = m.group(1).strip()
        i = args.index(word) if word in args else 0
        flag = args[i - 1] if i > 0 and args[i - 1].startswith("--") else "--name"
        base = flag[5:] if flag.startswith("--no-") else flag[2:]
        msg += f"; {flag} is an on/off switch and takes no value: give --{base} or --no-{base}"
    if isinstance(e, UsageError) and ctx is not None:
        return f"{ctx.command_path}: {msg} (see {ctx.command_path} --help)"
    return msg


_BOOL_WORDS = {"true", "false", "yes", "no", "on", "off", "1", "0"}


app = typer.Typer(cls=OneLineErrors, add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Procedural natural worlds, path traced with Cycles, with exact ground truth.")
app.command()(generate)
app.command()(params)
app.command()(scenes)
app.command()(materials)
app.command("stereo-from-mono")(stereo_from_mono_command)
app.command("export")(export_command)
app.command("export-layout")(export_layout_command)
app.command("objects")(objects_command)
app.command("evaluate")(evaluate_command)
app.command("captions")(captions_command)
app.command("view")(view_command)
app.add_typer(dataset_app, name="dataset")


def main() -> None:
    app(prog_name="wildsynth")  # OneLineErrors.main exits with the command's code


__all__ = ["OneLineErrors", "app", "main"]

if __name__ == "__main__":
    sys.exit(main())
