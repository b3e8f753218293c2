"""Alembic migrations of the store; applied on start by ``store.migrate.upgrade``."""
