"""Alembic's environment: always run by Koll itself, on the connection and in the transaction
the store opened (see koll.ledger.migrations)."""

from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=None, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
