"""Alembic's environment for the campaign database (briefpack.app.store runs it with a connection)."""
from alembic import context

from briefpack.app.store import Base

target_metadata = Base.metadata
connection = context.config.attributes.get("connection")
if connection is None:
    raise SystemExit("Run the migrations through briefpack (python build.py db --db-upgrade), which opens the database.")
context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
