"""Alembic environment: online migrations only, in one transaction."""

from alembic import context
from sqlalchemy import create_engine, pool

from sql.migrate import VERSION_TABLE

config = context.config
engine = create_engine(config.get_main_option("sqlalchemy.url"), poolclass=pool.NullPool)

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=None,
        version_table=VERSION_TABLE,
        transaction_per_migration=True,
    )
    with context.begin_transaction():
        context.run_migrations()
engine.dispose()
