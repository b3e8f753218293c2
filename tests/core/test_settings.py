"""Settings: every field is documented in .env.example, and nothing more."""

from __future__ import annotations

import re
from pathlib import Path

from core.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def test_env_example_lists_every_setting() -> None:
    text = (ROOT / ".env.example").read_text()
    documented = set(re.findall(r"^GOUTONG_([A-Z0-9_]+)=", text, flags=re.M))
    fields = {name.upper() for name in Settings.model_fields}
    assert documented == fields


def test_database_url_defaults_to_sqlite_and_accepts_postgres(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path)  # type: ignore[call-arg]
    assert settings.resolved_database_url() == f"sqlite+aiosqlite:///{tmp_path / 'goutong.db'}"
    pg = Settings(_env_file=None, database_url="postgresql://u:p@h/db")  # type: ignore[call-arg]
    assert pg.resolved_database_url() == "postgresql+asyncpg://u:p@h/db"


def test_plain_database_url_env_var_is_read(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DATABASE_URL", "postgresql://a:b@c/d")
    assert Settings(_env_file=None).database_url == "postgresql://a:b@c/d"  # type: ignore[call-arg]
