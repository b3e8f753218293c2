"""The web console: server-rendered pages over the API's own route functions, at /console."""

from console.app import install_console

__all__ = ["install_console"]
