"""The thin FastAPI gateway: configuration, ingestion, callback status and manual control."""
