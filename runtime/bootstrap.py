"""First-start bootstrap: the schema and the admin API key."""

from __future__ import annotations

import os

from core.settings import Settings
from store.api_keys import admin_key_exists, create_api_key, find_api_key, install_api_key
from store.db import Database

__all__ = ["bootstrap"]


async def bootstrap(db: Database, settings: Settings) -> str | None:
    """Creates the schema and makes sure an admin key exists.

    The key comes from ``GOUTONG_ADMIN_API_KEY`` or is generated on first start and written to
    ``data/admin.key`` (mode 0600). Returns the plain key when it was generated just now.
    """
    await db.create_schema()
    async with db.session() as session:
        if settings.admin_api_key:
            if await find_api_key(session, plain=settings.admin_api_key) is None:
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
    path = settings.admin_key_file
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(plain + "\n")
    return plain
