"""Custom search attributes that make callbacks findable in the Temporal Web UI."""

from __future__ import annotations

from temporalio.common import SearchAttributeKey

__all__ = ["ALL_KEYS", "ENDPOINT", "EVENT_TYPE", "MESSAGE_ID", "STATUS", "TENANT"]

TENANT = SearchAttributeKey.for_keyword("GoutongTenant")
ENDPOINT = SearchAttributeKey.for_keyword("GoutongEndpoint")
EVENT_TYPE = SearchAttributeKey.for_keyword("GoutongEventType")
MESSAGE_ID = SearchAttributeKey.for_keyword("GoutongMessageId")
STATUS = SearchAttributeKey.for_keyword("GoutongStatus")

ALL_KEYS = (TENANT, ENDPOINT, EVENT_TYPE, MESSAGE_ID, STATUS)
