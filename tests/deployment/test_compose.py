"""docker-compose.temporal.yml and deploy/, parsed: services, images, ports, keys, health,
Prometheus, and the settings every variable names."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from core import search_attributes as sa
from core.settings import Settings
from tests.deployment.compose_files import (
    COMPOSE_FILE,
    DEPLOYMENT_DOC,
    DOCKERFILE,
    LOOPBACK,
    PROMETHEUS_CONFIG,
    REQUIRED_SERVICES,
    ROOT,
    TEST_ENV,
    MissingVariable,
    depends_on,
    environment,
    interpolate,
    published_ports,
    setting_env_names,
)

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
