"""store.db and the migrations' env.py register every table module (store/*_models.py)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

STORE = Path(__file__).resolve().parents[2] / "store"
MODEL_MODULES = sorted(path.stem for path in STORE.glob("*_models.py"))


def _store_imports(path: Path) -> set[str]:
    """The names of ``from store import ...`` at the top level of ``path``."""
    tree = ast.parse(path.read_text())
    return {
        alias.name
        for node in tree.body
        if isinstance(node, ast.ImportFrom) and node.module == "store"
        for alias in node.names
    }


def test_there_are_table_modules() -> None:
    assert "endpoint_models" in MODEL_MODULES and "alert_models" in MODEL_MODULES


@pytest.mark.parametrize("path", [STORE / "db.py", STORE / "migrations" / "env.py"])
def test_every_table_module_is_registered(path: Path) -> None:
    missing = set(MODEL_MODULES) - _store_imports(path)
    assert not missing, f"{path.name} does not import {sorted(missing)}"


def test_importing_store_db_alone_registers_every_table() -> None:
    script = (
        "import importlib, sys\n"
        "from sqlmodel import SQLModel\n"
        "import store.db\n"
        "registered = set(SQLModel.metadata.tables)\n"
        f"for name in {MODEL_MODULES!r}:\n"
        "    module = importlib.import_module('store.' + name)\n"
        "    for attr in vars(module).values():\n"
        "        table = getattr(attr, '__table__', None)\n"
        "        if table is not None and attr.__module__ == module.__name__:\n"
        "            assert table.name in registered, table.name\n"
        "            print(table.name)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=STORE.parent,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert {"tenant", "endpoint", "callback", "linkage_rule", "alert_rule"} <= set(
        done.stdout.split()
    )
