"""The shared Typer app, output helpers and the error boundary (user errors -> exit 2)."""

from __future__ import annotations

import json
import logging
import sys
from typing import Any

import typer
from rich.console import Console

from ..errors import BabelscopeError

app = typer.Typer(
    name="babelscope",
    help="How well does a language model serve each of the world's languages?",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

#: Human-readable output goes to stderr so that stdout stays clean for --json.
console = Console(stderr=True, highlight=False)

#: Set by --quiet: commands skip progress bars and chatter (errors still print).
state = {"quiet": False}


@app.callback()
def _root(
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bars or chatter."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Structured debug logs on stderr."),
) -> None:
    """How well does a language model serve each of the world's languages?"""
    state["quiet"] = quiet
    if verbose:
        logging.getLogger("babelscope").setLevel(logging.DEBUG)


def split_list(values: list[str] | None) -> list[str]:
    """Options given as comma lists, repeated, or both (``-l en,de -l sw``): one flat list."""
    return [p.strip() for v in values or [] for p in v.split(",") if p.strip()]


def emit_json(obj: Any) -> None:
    """Write ``obj`` as JSON to stdout (UTF-8, non-ASCII kept)."""
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=2, default=str) + "\n")
    sys.stdout.flush()


def fail(message: str, code: int = 2) -> None:
    """Print a user error and exit with ``code``."""
    console.print(f"[bold red]error:[/] {message}", markup=True, highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def main() -> None:
    """Entry point: run the app, turning BabelscopeError into a message and exit code 2."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    optional_value(sys.argv, "--ray", "local")
    try:
        from .options import normalize_argv  # issue 14: bare -> help, flags anywhere, aliases

        sys.argv[1:] = normalize_argv(sys.argv[1:])
        app()
    except BabelscopeError as e:
        console.print(f"[bold red]error:[/] {_escape(str(e))}", soft_wrap=True)
        sys.exit(e.exit_code)
    except KeyboardInterrupt:
        console.print("interrupted; finished work is in the store and the request cache, rerun to resume")
        sys.exit(130)
    except SystemExit as e:  # issue 14: Typer turns Ctrl-C into a silent exit 130
        if e.code == 130:
            console.print("interrupted; finished work is in the store and the request cache, rerun to resume")
        raise


def optional_value(argv: list[str], option: str, default: str) -> None:
    """Let ``option`` stand alone (``run s.toml --ray --json``): with no value after it, it
    gets ``default``. Click options take a value or are flags, not both."""
    for i, arg in enumerate(argv):
        if arg == option and (i + 1 == len(argv) or argv[i + 1].startswith("-")):
            argv.insert(i + 1, default)
            return


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)
