"""Endpoint templates in the new-endpoint form: the choice, and a form filled from one."""

from __future__ import annotations

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from api.routes import endpoint_templates as api
from api.schemas import EndpointCreate, TemplatePublic
from console.forms import form_of_endpoint
from console.web import Operator

__all__ = ["new_endpoint_form", "template_choices"]

_DEFAULTS = EndpointCreate.model_validate({"url": "https://example.com/hook"})


async def template_choices(operator: Operator, session: AsyncSession) -> list[TemplatePublic]:
    """The templates this key may start from (its tenant's and the global ones)."""
    page = await api.list_templates(
        caller=operator.principal, session=session, tenant=None, cursor=None, limit=500
    )
    return page.data


async def new_endpoint_form(
    operator: Operator, session: AsyncSession, template_id: str | None
) -> dict[str, Any]:
    """The endpoint defaults, with a template's values over them when one is chosen."""
    values = _DEFAULTS.model_dump(mode="json") | {"url": ""}
    if template_id:
        template = await api.get_template(
            template_id=template_id, caller=operator.principal, session=session
        )
        config = template.config.model_dump(mode="json", exclude_none=True)
        retry = values["retry"] | config.pop("retry", {})
        values |= config | {"retry": retry, "template_id": template.id}
        if template.tenant_id is not None:
            values["tenant_id"] = template.tenant_id
    return form_of_endpoint(values)
