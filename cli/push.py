"""`push`: our datasets onto another CKAN site."""

from __future__ import annotations

from typing import Annotated

import typer

from catalog.errors import OpenDataError
from catalog.store import open_store
from cli.common import console, errors, progress, settings_of


def push(
    ctx: typer.Context,
    to: Annotated[str, typer.Option("--to", help="Base URL of the CKAN-compatible site.")],
    api_key: Annotated[
        str,
        typer.Option("--api-key", envvar="OPENDATA_PUSH_API_KEY", help="API token on that site."),
    ],
    targets: Annotated[
        list[str] | None, typer.Argument(help="Dataset slugs; every served one when none.")
    ] = None,
) -> None:
    """Create or update our datasets on another CKAN site; unchanged ones send nothing."""
    # Imported here: ckanapi and the query engine are heavy, and only this command needs them.
    import ckanapi

    from catalog.ckan import Pusher
    from catalog.query import QueryEngine

    settings = settings_of(ctx)
    store = open_store(settings.store, s3=settings.s3_options)
    engine = QueryEngine(store, settings)
    failed = 0
    with ckanapi.RemoteCKAN(to.rstrip("/"), apikey=api_key, user_agent="opendata-push") as site:
        pusher = Pusher(store, engine, site)
        planned = [slug for slug in pusher.plan() if not targets or slug in targets]
        with progress() as bar:
            task = bar.add_task("pushing", total=len(planned))
            for slug in planned:
                bar.update(task, description=f"pushing {slug}")
                try:
                    state = pusher.push_one(slug)
                except (ckanapi.CKANAPIError, OpenDataError) as exc:
                    failed += 1
                    errors.print(f"{slug}: NOT pushed: {exc}", highlight=False, markup=False)
                else:
                    console.print(f"{slug}: {state}", highlight=False, markup=False)
                bar.advance(task)
    engine.close()
    if failed:
        raise typer.Exit(code=1)
