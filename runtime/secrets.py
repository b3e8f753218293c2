"""The key that seals endpoint secrets: GOUTONG_SECRETS_KEY, or data/secrets.key created once."""

from __future__ import annotations

import os
from pathlib import Path

from core.secret_box import SecretBox, new_key
from core.settings import Settings

__all__ = ["load_secret_box"]


def _key_from_file(path: Path) -> str:
    """Reads the key file, creating it atomically first if it does not exist yet (several
    processes may start at once: exactly one key ever wins)."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        scratch = path.with_name(f".{path.name}.{os.urandom(6).hex()}")
        fd = os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(new_key() + "\n")
        try:
            os.link(scratch, path)  # atomic; fails when another process won
        except FileExistsError:
            pass
        finally:
            scratch.unlink()
    return path.read_text().strip()


def load_secret_box(settings: Settings) -> SecretBox:
    key = settings.secrets_key or _key_from_file(settings.secrets_key_file)
    return SecretBox(key)
