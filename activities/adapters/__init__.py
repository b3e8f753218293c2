"""Protocol adapters: how one signed callback reaches a target (HTTP/HTTPS, Redis Streams)."""
