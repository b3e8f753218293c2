"""Process wiring shared by the worker, the API and the CLI: Temporal connection, dev stack."""
