"""Alembic environment: runs on the connection handed over by `desk_app.store.migrate`."""

from __future__ import annotations

from alembic import context

from desk_app.store.models import Base
from desk_app.store.search_index import include_name

_config = getattr(context, "config", None)  # None when this file is imported outside Alembic

if _config is not None:
    connection = _config.attributes["connection"]
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,
        compare_type=True,
        include_name=include_name,
    )
    with context.begin_transaction():
        context.run_migrations()
