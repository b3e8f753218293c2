"""The typed Python client of the GouTong Callbacks API (sync and asyncio), used by the CLI.

With the OpenAPI schema (``/openapi.json``) and any Standard Webhooks library it is the SDK
story: this package for Python, generated clients and webhook verifiers for other languages.
Request and response models are the API's own (``api.schemas``); see docs/client.md.
"""

from client.aio import AsyncGouTongClient
from client.call import Call, Retries
from client.config import DEFAULT_URL, FINAL_STATES
from client.errors import ApiError
from client.sync import GouTongClient

__all__ = [
    "DEFAULT_URL",
    "FINAL_STATES",
    "ApiError",
    "AsyncGouTongClient",
    "Call",
    "GouTongClient",
    "Retries",
]
