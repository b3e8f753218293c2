"""The secrets key: from the settings, or created once in the data directory."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from core.secret_box import new_key
from runtime.secrets import load_secret_box
from tests.support.stack import make_settings


def test_the_key_file_is_created_once_even_by_concurrent_starts(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, "127.0.0.1:1")
    with ThreadPoolExecutor(8) as pool:
        boxes = list(pool.map(lambda _: load_secret_box(settings), range(8)))
    sealed = boxes[0].seal("whsec_x", context="ep")
    assert all(box.open(sealed, context="ep") == "whsec_x" for box in boxes)
    assert (tmp_path / "secrets.key").stat().st_mode & 0o077 == 0
    assert [p.name for p in tmp_path.iterdir()] == ["secrets.key"]


def test_the_setting_wins_over_the_file(tmp_path: Path) -> None:
    key = new_key()
    box = load_secret_box(make_settings(tmp_path, "127.0.0.1:1", secrets_key=key))
    sealed = box.seal("whsec_x", context="ep")
    assert (
        load_secret_box(make_settings(tmp_path, "x:1", secrets_key=key)).open(sealed, context="ep")
        == "whsec_x"
    )
    assert not (tmp_path / "secrets.key").exists()
