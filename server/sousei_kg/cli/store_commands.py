"""The commands that move a store: ``load`` (into a remote engine), ``backup`` and ``restore``."""

import os
from pathlib import Path

import click

from sousei_kg.cli.group import DEFAULT_STORE, UserError, resources_option


@click.command()
@click.option("--to", "gsp_url", required=True, help="The remote store's Graph Store HTTP URL.")
@click.option("--timeout", type=float, default=120.0, show_default=True, help="Seconds/request.")
@click.option(
    "--user", default=None, help="User for the store; the password is SOUSEI_LOAD_PASSWORD."
)
@click.option(
    "--digest/--basic",
    default=False,
    help="HTTP authentication scheme with --user (Virtuoso's -auth endpoint: --digest).",
)
@resources_option
def load(
    gsp_url: str, timeout: float, user: str | None, digest: bool, resources: Path | None
) -> None:
    """Validate the shipped graphs, then replace each one in a remote store (Graph Store
    Protocol) and check its statement count. Prints the dataset's version hash."""
    import httpx

    from sousei_kg.remote.loader import ValidationFailedError, load_to

    auth: httpx.Auth | None = None
    if user is not None:
        password = os.environ.get("SOUSEI_LOAD_PASSWORD")
        if password is None:
            raise UserError("--user needs the password in SOUSEI_LOAD_PASSWORD")
        auth = httpx.DigestAuth(user, password) if digest else httpx.BasicAuth(user, password)
    try:
        report = load_to(
            gsp_url,
            resources,
            timeout=timeout,
            auth=auth,
            progress=lambda line: click.echo(line, err=True),
        )
    except ValidationFailedError as error:
        click.echo(f"error: {error}", err=True)
        raise click.exceptions.Exit(1) from error
    total = sum(g.stored for g in report.graphs)
    click.echo(
        f"loaded {len(report.graphs)} graphs, {total} triples; version {report.version_hash}"
    )


@click.command()
@click.argument("target", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--store",
    "store_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=DEFAULT_STORE,
    show_default=True,
    help="The store to back up (a running server's newest snapshot if one writes it).",
)
def backup(target: Path, store_dir: Path) -> None:
    """Copy a store, its manifest and its audit log into the new folder TARGET."""
    from sousei_kg.store.backups import backup as backup_store

    manifest = backup_store(store_dir, target)
    click.echo(f"backup: {target}")
    click.echo(f"quads: {manifest.quad_count}")
    click.echo(f"version hash: {manifest.version_hash}")


@click.command()
@click.argument("source", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--store",
    "store_dir",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="The store to replace (no server may be writing it).",
)
def restore(source: Path, store_dir: Path) -> None:
    """Replace a store with the backup in SOURCE, after checking its version hash."""
    from sousei_kg.store.backups import restore as restore_store

    manifest = restore_store(source, store_dir)
    click.echo(f"store: {store_dir}")
    click.echo(f"version hash: {manifest.version_hash} (verified)")


COMMANDS = (load, backup, restore)
