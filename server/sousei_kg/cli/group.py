"""The ``sousei-kg`` command group and what its commands share: one-line user errors, exit codes and
the common options.

Exit codes: 0 success; 1 the data does not conform to the shapes; 2 a user error (a missing
path, an unknown format, a syntax error in a data file or a query), reported in one line.
"""

import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from sousei_kg import __version__
from sousei_kg.errors import SouseiError

DEFAULT_STORE = Path("sousei-kg-store")
PROG = "sousei-kg"

F = TypeVar("F", bound=Callable[..., Any])


class UserError(click.ClickException):
    """A problem with the user's input; exits with code 2."""

    exit_code = 2


class _Cli(click.Group):
    """Reports every user error as one line on stderr (no usage dump, no traceback)."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except SouseiError as error:
            code = fail(str(error), 2)
        except click.ClickException as error:
            code = fail(error.format_message(), error.exit_code)
        except click.Abort:
            code = fail("aborted", 1)
        code = code if isinstance(code, int) else 0
        if standalone_mode:
            sys.exit(code)
        return code


def fail(message: str, code: int) -> int:
    click.echo(f"{PROG}: error: {message}", err=True)
    return code


def resources_option(function: F) -> F:
    """Hidden ``--resources DIR``: read ontology/, shapes/ and data/ from DIR (tests, checks)."""
    return click.option(
        "--resources",
        type=click.Path(exists=True, file_okay=False, path_type=Path),
        default=None,
        hidden=True,
        help="Directory holding ontology/, shapes/ and data/ to use instead of the shipped files.",
    )(function)


def store_option(function: F) -> F:
    return click.option(
        "--store",
        "store_dir",
        type=click.Path(exists=True, file_okay=False, path_type=Path),
        default=None,
        help="Read a store made by `sousei-kg build` instead of loading the shipped files.",
    )(function)


@click.group(cls=_Cli, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name=PROG)
def cli() -> None:
    """Build, validate, query and export the sousei-kg knowledge graph."""
