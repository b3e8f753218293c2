"""Schemathesis over the whole OpenAPI schema, against the real API process: whatever a caller
sends, no server error, no answer the schema does not describe, and invalid input refused."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from temporalio.testing import WorkflowEnvironment

from api.app import create_app
from tests.support.api_process import ApiProcess
from tests.support.groups import FUZZ
from tests.support.stack import ADMIN_KEY, make_settings

pytestmark = FUZZ  # see tests/support/groups.py

AUTH = {"Authorization": f"Bearer {ADMIN_KEY}"}
# Schema-valid requests may still break a business rule the schema cannot express (a failed
# status needs an error; a global key must name the tenant; ...): those 422s are right.
BUSINESS_RULES = [schemathesis.checks.positive_data_acceptance]
SCHEMA = schemathesis.openapi.from_dict(create_app(make_settings(Path("."), "x:1")).openapi())
OPERATIONS = {op.label: op for op in (r.ok() for r in SCHEMA.get_all_operations())}  # type: ignore[union-attr]


@pytest.fixture(scope="module")
def api_url(
    tmp_path_factory: pytest.TempPathFactory, temporal_env: WorkflowEnvironment
) -> Iterator[str]:
    address = str(temporal_env.client.service_client.config.target_host)
    data: Path = tmp_path_factory.mktemp("fuzz")
    api = ApiProcess(make_settings(data, address))
    api.start()
    try:
        yield api.url
    finally:
        api.stop()


def test_the_schema_has_every_resource() -> None:
    paths = {label.split(" ", 1)[1] for label in OPERATIONS}
    prefixes = ("/v1/events", "/v1/event-types", "/v1/catalog", "/v1/tenants", "/v1/endpoints")
    for prefix in (*prefixes, "/v1/callbacks", "/v1/api-keys"):
        assert any(p.startswith(prefix) for p in paths), prefix


@pytest.mark.parametrize("label", sorted(OPERATIONS))
def test_operation_answers_within_its_schema(api_url: str, label: str) -> None:
    operation = OPERATIONS[label]

    @given(case=operation.as_strategy() | st.nothing())
    @settings(
        max_examples=int(os.environ.get("GOUTONG_FUZZ_EXAMPLES", "40")),
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    def check(case: schemathesis.Case) -> None:
        case.call_and_validate(base_url=api_url, headers=AUTH, excluded_checks=BUSINESS_RULES)

    check()
