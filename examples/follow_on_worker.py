"""A tenant's own follow-on: open a ticket in the business's CRM when a callback dead-letters.

    python examples/follow_on_worker.py --temporal 127.0.0.1:7233 \\
        --task-queue crm-follow-ups --tickets-url http://127.0.0.1:9100/tickets

Then a linkage rule starts it as a child of every dead-lettered callback:

    {"name": "ticket on dead letter", "triggers": ["dead_lettered"],
     "action": {"kind": "workflow", "workflow_type": "OpenTicketOnDeadLetter",
                "task_queue": "crm-follow-ups"}}

It imports nothing from GouTong: the input is plain JSON (FollowOnInput in docs/linkage.md), so
a worker in any Temporal SDK language does the same.
"""

from __future__ import annotations

import argparse
import asyncio
import os
from dataclasses import asdict, dataclass
from datetime import timedelta

from temporalio import activity, workflow
from temporalio.client import Client
from temporalio.worker import Worker

with workflow.unsafe.imports_passed_through():
    import httpx  # used by the activity only; the workflow sandbox must not re-import it


@dataclass
class FollowOnInput:
    """The JSON every follow-on gets (the same fields as GouTong's core.callback_contracts)."""

    rule_id: str
    kind: str
    trigger: str
    tenant_id: str
    callback_id: str
    endpoint_id: str
    event_id: str
    event_type: str
    message_id: str
    state: str
    attempts: int
    last_error: str | None = None


@dataclass
class Ticket:
    title: str
    follow_on: FollowOnInput


@dataclass
class TicketOpened:
    ticket_status: int
    title: str


class TicketDesk:
    """The business side: POSTs a ticket to the CRM."""

    def __init__(self, http: httpx.AsyncClient, tickets_url: str) -> None:
        self._http = http
        self._tickets_url = tickets_url

    @activity.defn(name="open_ticket")
    async def open_ticket(self, ticket: Ticket) -> TicketOpened:
        response = await self._http.post(
            self._tickets_url, json={"title": ticket.title, "callback": asdict(ticket.follow_on)}
        )
        response.raise_for_status()
        return TicketOpened(ticket_status=response.status_code, title=ticket.title)


@workflow.defn(name="OpenTicketOnDeadLetter")
class OpenTicketOnDeadLetter:
    """Opens one ticket per dead-lettered callback (Temporal retries the CRM call)."""

    @workflow.run
    async def run(self, input: FollowOnInput) -> TicketOpened:
        title = f"Callback {input.callback_id} dead-lettered after {input.attempts} attempt(s)"
        return await workflow.execute_activity(
            "open_ticket",
            Ticket(title=title, follow_on=input),
            result_type=TicketOpened,
            start_to_close_timeout=timedelta(seconds=30),
        )


async def serve(address: str, task_queue: str, tickets_url: str) -> None:
    client = await Client.connect(address)
    async with httpx.AsyncClient(timeout=10) as http:
        worker = Worker(
            client,
            task_queue=task_queue,
            workflows=[OpenTicketOnDeadLetter],
            activities=[TicketDesk(http, tickets_url).open_ticket],
        )
        print(f"follow-on worker polling {task_queue} on {address}", flush=True)
        await worker.run()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--temporal", default="127.0.0.1:7233")
    parser.add_argument("--task-queue", default="crm-follow-ups")
    parser.add_argument("--tickets-url", default="http://127.0.0.1:9100/tickets")
    args = parser.parse_args()
    try:
        asyncio.run(serve(args.temporal, args.task_queue, args.tickets_url))
    except KeyboardInterrupt:
        pass
    os._exit(0)  # sdk-python#300: avoid the PyGILState_Release abort at exit


if __name__ == "__main__":
    main()
