"""A secret shown once (an endpoint's signing secret, a new API key, an alert rule's secret)."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request
from fastapi.responses import HTMLResponse

from api.schemas import ApiKeyCreated, EndpointPublic
from api.schemas.alerts import AlertRuleCreated
from console.web import Operator, render

__all__ = ["OnceSecret", "api_key_secret", "endpoint_secret", "rule_secret", "show_secret"]


@dataclass(frozen=True)
class OnceSecret:
    """What the page says about the secret, the secret, and where to go next."""

    heading: str
    label: str
    explain: str
    secret: str
    back_href: str
    back_label: str


def endpoint_secret(endpoint: EndpointPublic, secret: str, why: str) -> OnceSecret:
    return OnceSecret(
        heading=f"Endpoint {endpoint.name or endpoint.id} {why}",
        label="Signing secret",
        explain="Give it to the receiver so it can verify the webhook-signature header.",
        secret=secret,
        back_href=f"/console/endpoints/{endpoint.id}",
        back_label="Go to the endpoint",
    )


def api_key_secret(key: ApiKeyCreated) -> OnceSecret:
    return OnceSecret(
        heading=f"API key {key.name or key.id} created",
        label="API key",
        explain="Send it as Authorization: Bearer <key>. Only its hash is stored: "
        "it cannot be shown again.",
        secret=key.key,
        back_href="/console/keys",
        back_label="Go to the API keys",
    )


def rule_secret(rule: AlertRuleCreated, secret: str) -> OnceSecret:
    return OnceSecret(
        heading=f"Alert rule {rule.name} created",
        label="Signing secret of its webhook",
        explain="The alerts POSTed to the rule's webhook URL are signed with it "
        "(webhook-signature header).",
        secret=secret,
        back_href="/console/alerts",
        back_label="Go to the alerts",
    )


def show_secret(
    request: Request, operator: Operator, shown: OnceSecret, status_code: int = 200
) -> HTMLResponse:
    response = render(request, "secret_once.html", operator, {"shown": shown}, status_code)
    response.headers["Cache-Control"] = "no-store"  # not kept in the browser's history cache
    return response
