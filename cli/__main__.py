"""``python -m cli ...`` is ``goutong ...`` (the dev stack starts the API this way)."""

from cli import main

main()
