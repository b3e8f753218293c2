"""The production shape: Dockerfile, .dockerignore, docker-compose.temporal.yml, deploy/."""

from __future__ import annotations

import fnmatch
import json
import os
import re
import shlex
import shutil
import subprocess
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from pydantic import AliasChoices

from core import search_attributes as sa
from core.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
COMPOSE_FILE = ROOT / "docker-compose.temporal.yml"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
PYPROJECT = ROOT / "pyproject.toml"
PROMETHEUS_CONFIG = ROOT / "deploy" / "prometheus.yml"
DEPLOYMENT_DOC = ROOT / "docs" / "deployment.md"

REQUIRED_SERVICES = {"temporal", "temporal-ui", "postgresql", "api", "worker", "prometheus"}
LOOPBACK = {"127.0.0.1", "::1", "localhost"}
# the variables without a default
TEST_ENV = {"GOUTONG_ADMIN_API_KEY": "gt_test_only", "GOUTONG_SECRETS_KEY": "c2VjcmV0"}


# --- helpers -----------------------------------------------------------------------------------

_VARIABLE = re.compile(
    r"\$(?:(?P<escaped>\$)"
    r"|\{(?P<braced>[A-Za-z_]\w*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}"
    r"|(?P<named>[A-Za-z_]\w*))"
)


class MissingVariable(Exception):
    """A ``${NAME:?message}`` variable is unset."""


def interpolate(value: object, env: Mapping[str, str] | None = None) -> str:
    """Compose-style interpolation: ``$$``, ``$NAME``, ``${NAME}``, ``${NAME:-default}``,
    ``${NAME-default}``, ``${NAME:?error}``, ``${NAME?error}``."""
    env = env or {}

    def substitute(match: re.Match[str]) -> str:
        if match.group("escaped"):
            return "$"
        name = match.group("braced") or match.group("named")
        op, arg = match.group("op"), match.group("arg") or ""
        present, current = name in env, env.get(name, "")
        if op == ":-":
            return current or arg
        if op == "-":
            return current if present else arg
        if (op == ":?" and not current) or (op == "?" and not present):
            raise MissingVariable(f"{name}: {arg}")
        return current

    return _VARIABLE.sub(substitute, str(value))


def environment(service: Mapping[str, Any]) -> dict[str, str]:
    """A service's environment as a dict (compose accepts a mapping or a list of K=V)."""
    raw = service.get("environment") or {}
    if isinstance(raw, list):
        return {key: value for key, _, value in (str(item).partition("=") for item in raw)}
    return {str(key): "" if value is None else str(value) for key, value in raw.items()}


def published_ports(service: Mapping[str, Any]) -> list[tuple[str, str | None, str]]:
    """(host address, host port, container port) of every published port, defaults applied;
    a spec without an address publishes on every interface (0.0.0.0)."""
    result: list[tuple[str, str | None, str]] = []
    for spec in service.get("ports") or []:
        if isinstance(spec, dict):
            result.append(
                (
                    str(spec.get("host_ip", "0.0.0.0")),
                    None if spec.get("published") is None else str(spec["published"]),
                    str(spec["target"]),
                )
            )
            continue
        parts = interpolate(spec).split("/", 1)[0].split(":")
        if len(parts) == 1:
            result.append(("0.0.0.0", None, parts[0]))
        elif len(parts) == 2:
            result.append(("0.0.0.0", parts[0], parts[1]))
        else:
            result.append((":".join(parts[:-2]).strip("[]"), parts[-2], parts[-1]))
    return result


def depends_on(service: Mapping[str, Any]) -> dict[str, str]:
    """Dependency -> condition (the short list form means ``service_started``)."""
    raw = service.get("depends_on") or {}
    if isinstance(raw, list):
        return dict.fromkeys(raw, "service_started")
    return {name: (spec or {}).get("condition", "service_started") for name, spec in raw.items()}


def setting_env_names() -> set[str]:
    """Every environment variable name the Settings class reads."""
    names: set[str] = set()
    for field_name, field in Settings.model_fields.items():
        names.add(f"GOUTONG_{field_name.upper()}")
        alias = field.validation_alias
        if isinstance(alias, AliasChoices):
            names.update(choice for choice in alias.choices if isinstance(choice, str))
        elif isinstance(alias, str):
            names.add(alias)
    return names


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined and comments dropped."""
    instructions: list[tuple[str, str]] = []
    pending = ""
    for raw in DOCKERFILE.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        keyword, _, arguments = (pending + line).partition(" ")
        instructions.append((keyword.upper(), arguments.strip()))
        pending = ""
    return instructions


def final_stage() -> list[tuple[str, str]]:
    instructions = dockerfile_instructions()
    last_from = max(i for i, (keyword, _) in enumerate(instructions) if keyword == "FROM")
    return instructions[last_from:]


def dockerignored(path: str) -> bool:
    """Whether the build context leaves ``path`` out (patterns in order, ``!`` re-includes;
    a pattern that matches a directory leaves out everything below it)."""
    patterns = [
        line.strip()
        for line in DOCKERIGNORE.read_text().splitlines()
        if line.strip() and not line.strip().startswith("#")
    ]
    parts = path.split("/")
    candidates = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    excluded = False
    for pattern in patterns:
        negate = pattern.startswith("!")
        pattern = pattern.lstrip("!").strip("/")
        variants = {pattern}
        if pattern.startswith("**/"):
            variants.add(pattern[3:])
        if any(fnmatch.fnmatchcase(c, v) for c in candidates for v in variants):
            excluded = not negate
    return excluded


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data = yaml.safe_load(COMPOSE_FILE.read_text())
    assert isinstance(data, dict) and isinstance(data.get("services"), dict)
    return data


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return compose["services"]


# --- (a) the compose file, parsed ------------------------------------------------------------


def test_compose_has_every_service(services: dict[str, dict[str, Any]]) -> None:
    assert REQUIRED_SERVICES <= services.keys(), REQUIRED_SERVICES - services.keys()


def test_compose_file_format_is_3x(compose: dict[str, Any]) -> None:
    # docker-compose 1.29 (Debian's package, used by CI) reads format 3.x.
    assert str(compose.get("version", "")).startswith("3.")


def test_images_are_pinned(services: dict[str, dict[str, Any]]) -> None:
    for name, service in services.items():
        if "build" in service:
            continue
        image = interpolate(service["image"])
        repository, _, tag = image.rpartition(":")
        assert repository and "/" not in tag, f"{name}: {image} has no tag"
        assert re.fullmatch(r"v?\d+\.\d+(\.\d+)?(-[\w.]+)?", tag), (
            f"{name}: {image} is not pinned to a version (major.minor at least)"
        )


def test_temporal_server_and_admin_tools_move_together(
    services: dict[str, dict[str, Any]],
) -> None:
    # The schema job must apply exactly the schema of the server version it precedes.
    server_tag = services["temporal"]["image"].rpartition(":")[2]
    for name, service in services.items():
        if service.get("image", "").startswith("temporalio/admin-tools:"):
            assert service["image"].rpartition(":")[2] == server_tag, name
    assert services["temporal"]["image"].startswith("temporalio/server:")
    assert services["temporal-ui"]["image"].startswith("temporalio/ui:")


@pytest.mark.parametrize(("name", "command"), [("api", "api"), ("worker", "worker")])
def test_api_and_worker_are_built_from_the_dockerfile(
    services: dict[str, dict[str, Any]], name: str, command: str
) -> None:
    service = services[name]
    build = service["build"]
    context = build if isinstance(build, str) else build.get("context", ".")
    dockerfile = "Dockerfile" if isinstance(build, str) else build.get("dockerfile", "Dockerfile")
    assert (COMPOSE_FILE.parent / context).resolve() == ROOT
    assert (ROOT / context / dockerfile).resolve() == DOCKERFILE
    assert service["command"] == ["goutong", command]
    assert service.get("image") == services["api"].get("image"), "one image for both"


def test_store_url_points_at_the_compose_store(services: dict[str, dict[str, Any]]) -> None:
    for name in ("api", "worker"):
        url = urlsplit(interpolate(environment(services[name])["DATABASE_URL"]))
        assert url.scheme in {"postgresql", "postgres"}, name
        assert url.hostname in services, f"{name}: {url.hostname} is not a compose service"
        store = services[url.hostname]
        assert store["image"].startswith("postgres:")
        store_env = {k: interpolate(v) for k, v in environment(store).items()}
        assert url.username == store_env["POSTGRES_USER"]
        assert url.password == store_env["POSTGRES_PASSWORD"]
        assert url.path.lstrip("/") == store_env.get("POSTGRES_DB", store_env["POSTGRES_USER"])
        assert (url.port or 5432) == 5432
        # Settings turns it into the asyncpg URL the store uses.
        resolved = Settings(database_url=url.geturl()).resolved_database_url()
        assert resolved.startswith("postgresql+asyncpg://")
        assert services[name]["depends_on"][url.hostname]["condition"] == "service_healthy"


def test_store_is_not_temporals_database(services: dict[str, dict[str, Any]]) -> None:
    store_host = urlsplit(interpolate(environment(services["api"])["DATABASE_URL"])).hostname
    temporal_db = environment(services["temporal"])["POSTGRES_SEEDS"]
    assert temporal_db in services and services[temporal_db]["image"].startswith("postgres:")
    assert store_host != temporal_db, "the store has its own PostgreSQL here"


def test_temporal_address_points_at_the_frontend(services: dict[str, dict[str, Any]]) -> None:
    temporal_env = environment(services["temporal"])
    assert temporal_env["DB"] == "postgres12"
    assert temporal_env["BIND_ON_IP"] == "0.0.0.0"  # reachable from the other containers
    for name in ("api", "worker"):
        env = {k: interpolate(v, TEST_ENV) for k, v in environment(services[name]).items()}
        host, _, port = env["GOUTONG_TEMPORAL_ADDRESS"].rpartition(":")
        assert host == "temporal" and port == "7233", name
        assert env["GOUTONG_TEMPORAL_NAMESPACE"] == interpolate(
            environment(services["temporal-namespace"])["NAMESPACE"]
        )
        assert env.get("GOUTONG_TEMPORAL_TASK_QUEUE", "goutong-callbacks") == (
            Settings.model_fields["temporal_task_queue"].default
        )
    ui_env = environment(services["temporal-ui"])
    assert ui_env["TEMPORAL_ADDRESS"] == "temporal:7233"


def test_only_loopback_ports_are_published(services: dict[str, dict[str, Any]]) -> None:
    for name, service in services.items():
        for address, _, container_port in published_ports(service):
            assert address in LOOPBACK, (
                f"{name} publishes {container_port} on {address}: only 127.0.0.1 by default"
            )
    assert ("127.0.0.1", "7233", "7233") in published_ports(services["temporal"])
    for database in ("postgresql", "goutong-db"):
        assert not services[database].get("ports"), f"{database} must not be published"


def test_api_listens_on_all_interfaces_in_its_container(
    services: dict[str, dict[str, Any]],
) -> None:
    env = environment(services["api"])
    assert env["GOUTONG_API_HOST"] == "0.0.0.0"
    container_ports = {port for _, _, port in published_ports(services["api"])}
    assert env.get("GOUTONG_API_PORT", "8000") in container_ports


def test_workers_can_be_scaled(services: dict[str, dict[str, Any]]) -> None:
    worker = services["worker"]
    assert "container_name" not in worker, "--scale worker=N needs generated names"
    assert not worker.get("ports"), "--scale worker=N cannot share a host port"


@pytest.mark.parametrize("variable", ["GOUTONG_ADMIN_API_KEY", "GOUTONG_SECRETS_KEY"])
def test_keys_come_from_the_environment_without_default(
    services: dict[str, dict[str, Any]], variable: str
) -> None:
    for name in ("api", "worker"):
        raw = environment(services[name])[variable]
        assert re.fullmatch(rf"\$\{{{variable}:\?[^}}]+\}}", raw), raw
        with pytest.raises(MissingVariable):
            interpolate(raw, {})
        assert interpolate(raw, {variable: "x"}) == "x"


def test_no_secret_is_hard_coded(services: dict[str, dict[str, Any]]) -> None:
    secret_keys = {
        "POSTGRES_PASSWORD",
        "POSTGRES_PWD",
        "SQL_PASSWORD",
        "GOUTONG_ADMIN_API_KEY",
        "GOUTONG_SECRETS_KEY",
    }
    for name, service in services.items():
        for key, value in environment(service).items():
            if key in secret_keys:
                assert value.startswith("${") and value.endswith("}"), f"{name}.{key}"
                # a default, if any, must say it is a local-dev one
                assert ":-" not in value or "local-dev" in value, f"{name}.{key}: {value}"
            if key == "DATABASE_URL":
                password = urlsplit(value).password or ""
                assert password.startswith("${"), f"{name}.DATABASE_URL"


def test_start_order_is_enforced_by_health(services: dict[str, dict[str, Any]]) -> None:
    for name, service in services.items():
        for dependency, condition in depends_on(service).items():
            assert dependency in services, f"{name} depends on unknown {dependency}"
            target = services[dependency]
            if condition == "service_healthy":
                assert "healthcheck" in target, f"{name} waits for {dependency}'s health"
            if condition == "service_completed_successfully":
                restart = str(target.get("restart", "no"))
                assert restart == "no" or restart.startswith("on-failure"), (
                    f"{dependency} is a one-shot job; restart={restart} never completes"
                )
    assert depends_on(services["temporal"])["temporal-schema"] == "service_completed_successfully"
    for name in ("api", "worker"):
        conditions = depends_on(services[name])
        assert conditions["temporal-namespace"] == "service_completed_successfully"
    assert depends_on(services["api"])["worker"] == "service_healthy"


def test_worker_registers_the_search_attributes(services: dict[str, dict[str, Any]]) -> None:
    worker = services["worker"]
    assert environment(worker)["GOUTONG_REGISTER_SEARCH_ATTRIBUTES"] == "true"
    # Healthy once the attributes exist; the API waits for that.
    check = " ".join(worker["healthcheck"]["test"][1:])
    assert "search-attribute list" in check
    assert any(key.name in check for key in sa.ALL_KEYS)


def test_namespace_job_sets_the_retention(services: dict[str, dict[str, Any]]) -> None:
    job = services["temporal-namespace"]
    script = interpolate(" ".join(job["command"]))
    assert "operator namespace create" in script and "operator namespace update" in script
    assert '--retention "$RETENTION"' in script
    retention = interpolate(environment(job)["RETENTION"])
    assert re.fullmatch(r"\d+h", retention), retention


def test_schema_job_sets_up_both_temporal_databases(services: dict[str, dict[str, Any]]) -> None:
    script = interpolate(" ".join(services["temporal-schema"]["command"]))
    assert "temporal-sql-tool --plugin postgres12" in script
    assert "schema temporal temporal" in script
    assert "schema temporal_visibility visibility" in script


def test_bind_mounted_files_exist(services: dict[str, dict[str, Any]]) -> None:
    mounts = 0
    for name, service in services.items():
        for volume in service.get("volumes") or []:
            source = volume.split(":", 1)[0] if isinstance(volume, str) else volume["source"]
            if source.startswith((".", "/")):
                assert (COMPOSE_FILE.parent / source).exists(), f"{name}: {source}"
                mounts += 1
    assert mounts >= 2
    dynamic_config = ROOT / "deploy" / "temporal" / "dynamicconfig" / "docker.yaml"
    assert isinstance(yaml.safe_load(dynamic_config.read_text()), dict)
    assert environment(services["temporal"])["DYNAMIC_CONFIG_FILE_PATH"].endswith("/docker.yaml")


def test_prometheus_scrapes_api_and_worker(services: dict[str, dict[str, Any]]) -> None:
    assert any(
        str(volume).startswith("./deploy/prometheus.yml:")
        for volume in services["prometheus"]["volumes"]
    )
    config = yaml.safe_load(PROMETHEUS_CONFIG.read_text())
    targets: set[str] = set()
    for job in config["scrape_configs"]:
        assert job.get("metrics_path", "/metrics") == "/metrics"
        for static in job.get("static_configs", []):
            targets.update(static["targets"])
        for dns in job.get("dns_sd_configs", []):
            targets.update(f"{host}:{dns['port']}" for host in dns["names"])
    assert {"api:8000", "worker:9464"} <= targets, targets
    for target in targets:
        assert target.rpartition(":")[0] in services, target


def test_every_goutong_variable_is_a_setting() -> None:
    known = setting_env_names()
    assert {"DATABASE_URL", "GOUTONG_DATABASE_URL", "GOUTONG_API_HOST"} <= known
    for path in (COMPOSE_FILE, DOCKERFILE, DEPLOYMENT_DOC):
        used = set(re.findall(r"\bGOUTONG_[A-Z0-9_]+", path.read_text()))
        assert used, path
        assert used <= known, f"{path.name}: not settings: {sorted(used - known)}"


def test_compose_environment_keys_are_settings(services: dict[str, dict[str, Any]]) -> None:
    known = setting_env_names()
    for name in ("api", "worker"):
        keys = set(environment(services[name]))
        assert keys <= known, f"{name}: not settings: {sorted(keys - known)}"


# --- (b) docker-compose itself validates the file -------------------------------------------


def _docker_compose(tmp_path: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    binary = shutil.which("docker-compose")
    if binary is None:
        message = "docker-compose is not installed (Debian: apt-get install docker-compose)"
        if os.environ.get("CI"):
            pytest.fail(f"{message}; CI must install it")
        pytest.skip(message)
    empty_env_file = tmp_path / "empty.env"  # a developer's .env must not change the outcome
    empty_env_file.write_text("")
    return subprocess.run(
        [binary, "--env-file", str(empty_env_file), "-f", str(COMPOSE_FILE), "config"],
        cwd=tmp_path,
        env={"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_docker_compose_config_accepts_the_file(
    tmp_path: Path, services: dict[str, dict[str, Any]]
) -> None:
    result = _docker_compose(tmp_path, TEST_ENV)
    assert result.returncode == 0, result.stderr
    resolved = yaml.safe_load(result.stdout)
    assert set(resolved["services"]) == set(services)
    api_env = resolved["services"]["api"]["environment"]
    assert api_env["GOUTONG_ADMIN_API_KEY"] == "gt_test_only"
    assert api_env["DATABASE_URL"].startswith("postgresql://goutong:")


def test_docker_compose_config_requires_the_keys(tmp_path: Path) -> None:
    result = _docker_compose(tmp_path, {})
    assert result.returncode != 0
    assert "GOUTONG_ADMIN_API_KEY" in result.stderr
    result = _docker_compose(tmp_path, {"GOUTONG_ADMIN_API_KEY": "gt_x"})
    assert result.returncode != 0
    assert "GOUTONG_SECRETS_KEY" in result.stderr


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
