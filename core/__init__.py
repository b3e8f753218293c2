"""Pure domain code shared by the API, the worker and the CLI: no I/O at import time."""
