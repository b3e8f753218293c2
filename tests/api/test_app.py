"""create_app and served_app: only an API server process tunes its garbage collector."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from api.app import create_app
from tests.support.stack import make_settings


@pytest.mark.parametrize("owns_process", [True, False])
async def test_the_collector_is_tuned_once_a_served_app_started(
    tmp_path: Path, restored_gc: None, owns_process: bool
) -> None:
    settings = make_settings(tmp_path, "127.0.0.1:1", gc_gen0_threshold=12_345)  # no Temporal
    app = create_app(settings, owns_process=owns_process)
    assert gc.get_threshold()[0] == 700  # building the app changes nothing yet

    async with app.router.lifespan_context(app):
        tuned = gc.get_threshold()[0] == 12_345 and gc.get_freeze_count() > 0

    assert tuned is owns_process  # a test's (or an embedding program's) app leaves it alone
