"""First-start bootstrap: the schema, the built-in event types and the admin API key."""

from __future__ import annotations

import logging
import os

from core.settings import Settings
from store.api_keys import admin_key_exists, create_api_key, find_api_key, install_api_key
from store.db import Database
from store.event_types import seed_builtin_event_types
from store.migrate import apply_migrations, exclusive

__all__ = ["bootstrap"]

log = logging.getLogger(__name__)


async def bootstrap(db: Database, settings: Settings) -> str | None:
    """Creates the schema, seeds the built-in event types and makes sure an admin key exists.

    The key comes from ``GOUTONG_ADMIN_API_KEY`` or is generated on first start and written to
    ``data/admin.key`` (mode 0600). Returns the plain key when it was generated just now.
    """
    async with exclusive(db.engine):  # several processes may start at once
        await apply_migrations(db.engine)
        async with db.session() as session:
            if changed := await seed_builtin_event_types(session):
                log.info("seeded %d built-in event type versions", changed)
        plain = await _ensure_admin_key(db, settings)
    if plain is None:
        return None
    path = settings.admin_key_file
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(plain + "\n")
    return plain


async def _ensure_admin_key(db: Database, settings: Settings) -> str | None:
    async with db.session() as session:
        if settings.admin_api_key:
            known = await find_api_key(session, plain=settings.admin_api_key, include_revoked=True)
            if known is not None and known.revoked_at is not None:
                log.warning("GOUTONG_ADMIN_API_KEY was revoked through the API; it stays revoked")
            if known is None:
                await install_api_key(
                    session,
                    plain=settings.admin_api_key,
                    role="admin",
                    tenant_id=None,
                    name="bootstrap (GOUTONG_ADMIN_API_KEY)",
                )
            return None
        if await admin_key_exists(session):
            return None
        _, plain = await create_api_key(session, role="admin", tenant_id=None, name="bootstrap")
        return plain
