"""The configuration and callback store: sqlmodel tables and keyword-only async functions."""
