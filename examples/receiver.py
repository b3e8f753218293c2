"""A callback receiver that verifies GouTong's Standard Webhooks signatures and prints each one.

    python examples/receiver.py --port 9000 --secret whsec_...

Answers 204 to a verified callback and 401 to one whose signature does not verify. Any
Standard Webhooks library (Python, Node, Go, Java, Ruby, PHP, Rust, C#) verifies the same way.
An endpoint with batched delivery POSTs a JSON array of envelopes (``webhook-id`` is then the
batch's id): it is verified the same way, and each envelope is de-duplicated on its own ``id``.
"""

from __future__ import annotations

import argparse
import json
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks import Webhook, WebhookVerificationError


def make_handler(webhook: Webhook, seen: set[str]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            headers = {k.lower(): v for k, v in self.headers.items()}
            try:
                payload = webhook.verify(body, headers)
            except WebhookVerificationError as exc:
                print(f"REJECTED  {headers.get('webhook-id')}: {exc}", flush=True)
                self.send_response(401)
                self.end_headers()
                return
            if isinstance(payload, list):  # a batch: one array, one signature, many callbacks
                print(f"BATCH     {headers['webhook-id']}: {len(payload)} callbacks", flush=True)
                envelopes = payload
            else:
                envelopes = [payload]
            for envelope in envelopes:
                callback_id = envelope["id"]  # = webhook-id of a single callback
                again = " (duplicate id, already handled)" if callback_id in seen else ""
                seen.add(callback_id)
                print(f"VERIFIED  {envelope['type']}  {callback_id}{again}", flush=True)
                print(json.dumps(envelope, indent=2, ensure_ascii=False), flush=True)
            self.send_response(204)
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9000)
    parser.add_argument("--secret", required=True, help="the endpoint's whsec_ secret")
    args = parser.parse_args()
    server = ThreadingHTTPServer((args.host, args.port), make_handler(Webhook(args.secret), set()))
    print(f"listening on http://{args.host}:{args.port}/ (Ctrl-C to stop)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
