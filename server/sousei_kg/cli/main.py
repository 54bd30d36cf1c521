"""The ``sousei-kg`` console script: the command group with every command added."""

from sousei_kg.cli import data_commands, serve, store_commands
from sousei_kg.cli.group import PROG, cli

__all__ = ["cli", "main"]

for _command in (*data_commands.COMMANDS, serve.serve, *store_commands.COMMANDS):
    cli.add_command(_command)


def main() -> None:
    """Entry point of the ``sousei-kg`` console script."""
    cli(prog_name=PROG)
