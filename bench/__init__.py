"""Benchmarks of GouTong Callbacks: ``python -m bench.run --help`` (see docs/performance.md)."""
