"""The image: Dockerfile, the wheel it installs, .dockerignore."""

from __future__ import annotations

import json
import re
import shlex
import tomllib

from tests.deployment.compose_files import PYPROJECT, ROOT, setting_env_names
from tests.deployment.image_files import dockerfile_instructions, dockerignored, final_stage

# --- (c) the image ---------------------------------------------------------------------------


def test_dockerfile_runs_the_api_as_non_root() -> None:
    stage = final_stage()
    assert stage[0][1].split()[0].startswith("python:3.11-slim")
    users = [arguments for keyword, arguments in stage if keyword == "USER"]
    assert users, "the final stage must set USER"
    user = users[-1].split(":")[0]
    assert user not in {"root", "0"}
    commands = [arguments for keyword, arguments in stage if keyword == "CMD"]
    assert commands and json.loads(commands[-1]) == ["goutong", "api"]
    assert not any(keyword == "ENTRYPOINT" for keyword, _ in stage)


def test_dockerfile_installs_a_wheel_and_listens_everywhere() -> None:
    instructions = dockerfile_instructions()
    runs = " ".join(arguments for keyword, arguments in instructions if keyword == "RUN")
    # `.` or `'.[extras]'` (the image has the OTLP exporter for tracing)
    assert re.search(r"pip install '?\.(\[[\w,]+\])?'?(\s|$)", runs), "pip install . (non-editable)"
    assert "pip install -e" not in runs and "--editable" not in runs
    env: dict[str, str] = {}
    for keyword, arguments in final_stage():
        if keyword == "ENV":
            for item in shlex.split(arguments):
                key, _, value = item.partition("=")
                env[key] = value
    assert env["GOUTONG_API_HOST"] == "0.0.0.0"
    assert set(k for k in env if k.startswith("GOUTONG_")) <= setting_env_names()
    exposed = {
        port
        for keyword, arguments in final_stage()
        if keyword == "EXPOSE"
        for port in arguments.split()
    }
    assert {"8000", "9464"} <= exposed


def test_wheel_contents_are_declared() -> None:
    """pip install . packages exactly what pyproject lists: every package (the CLI among
    them), the top-level worker module, and the Alembic template."""
    project = tomllib.loads(PYPROJECT.read_text())
    setuptools = project["tool"]["setuptools"]
    packages = set(setuptools["packages"])
    assert "worker" in setuptools.get("py-modules", []), (
        "py-modules must sit in [tool.setuptools] (under package-data it is ignored)"
    )
    assert "cli" in packages
    assert project["project"]["scripts"]["goutong"] == "cli:main"
    data_only = set(setuptools.get("package-data", {})) - {"store.migrations"}
    for package in packages - data_only:
        assert (ROOT / package.replace(".", "/") / "__init__.py").is_file(), package
    for top in {p.split(".")[0] for p in packages}:
        for init in (ROOT / top).rglob("__init__.py"):
            dotted = ".".join(init.parent.relative_to(ROOT).parts)
            assert dotted in packages, f"{dotted} is a package but not in pyproject"
    packaged_tops = {p.split(".")[0] for p in packages} | {"tests", "bench"}  # not shipped
    for init in ROOT.glob("*/__init__.py"):
        assert init.parent.name in packaged_tops, f"{init.parent.name}/ is not packaged"
    for package, files in setuptools.get("package-data", {}).items():
        for name in files:
            matches = list((ROOT / package.replace(".", "/")).glob(name))  # names are globs
            assert any(path.is_file() for path in matches), f"{package}/{name}"
    assert "script.py.mako" in setuptools["package-data"]["store.migrations"]


def test_dockerignore_keeps_the_sources_and_drops_local_state() -> None:
    project = tomllib.loads(PYPROJECT.read_text())
    setuptools = project["tool"]["setuptools"]
    needed = ["pyproject.toml", project["project"]["readme"]]
    needed += [f"{module}.py" for module in setuptools["py-modules"]]
    for package in setuptools["packages"]:
        directory = ROOT / package.replace(".", "/")
        needed += [str(path.relative_to(ROOT)) for path in directory.glob("*.py")]
    needed += ["store/migrations/script.py.mako"]
    for path in needed:
        assert not dockerignored(path), f".dockerignore leaves out {path}"
    for path in (".env", "data/admin.key", "data/goutong.db", ".venv/bin/python", ".git/config"):
        assert dockerignored(path), f".dockerignore must leave out {path}"
