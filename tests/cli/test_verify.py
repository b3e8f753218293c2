"""``goutong verify`` against signatures made by the Standard Webhooks reference library."""

from __future__ import annotations

import base64
import json
import time
from datetime import UTC, datetime
from pathlib import Path

from standardwebhooks import Webhook
from typer.testing import CliRunner, Result

from cli import app

SECRET = "whsec_" + base64.b64encode(b"k" * 32).decode()
BODY = b'{"type": "message.status.delivered", "data": {"message_id": "m-1"}}'


def _signed(body: bytes, at: datetime) -> dict[str, str]:
    signature = Webhook(SECRET).sign("cb_1", at, body.decode())
    return {
        "webhook-id": "cb_1",
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": signature,
    }


def _verify(*args: str, input: bytes | None = None, **env: str) -> Result:
    return CliRunner().invoke(app, ["verify", *args], input, {"GOUTONG_WEBHOOK_SECRET": "", **env})


def _options(headers: dict[str, str]) -> list[str]:
    return [f"-H{name}: {value}" for name, value in headers.items()]


def test_a_good_signature_verifies_and_a_tampered_body_does_not(tmp_path: Path) -> None:
    headers = _signed(BODY, datetime.now(UTC))
    body = tmp_path / "body.json"
    body.write_bytes(BODY)
    ok = _verify(str(body), "--secret", SECRET, *_options(headers))
    assert ok.exit_code == 0 and ok.stdout == "signature ok: cb_1 (message.status.delivered)\n"

    from_stdin = _verify("-", *_options(headers), input=BODY, GOUTONG_WEBHOOK_SECRET=SECRET)
    assert from_stdin.exit_code == 0, from_stdin.stderr
    explicit = ["--id", "cb_1", "--timestamp", headers["webhook-timestamp"]]
    as_json = _verify(
        str(body),
        "--secret",
        SECRET,
        *explicit,
        "--signature",
        headers["webhook-signature"],
        "--json",
    )
    assert json.loads(as_json.stdout) == {
        "valid": True,
        "webhook_id": "cb_1",
        "type": "message.status.delivered",
    }

    body.write_bytes(BODY.replace(b"m-1", b"m-2"))
    tampered = _verify(str(body), "--secret", SECRET, *_options(headers))
    assert tampered.exit_code == 1 and tampered.stderr.startswith("error: invalid_signature: ")
    tampered_json = _verify(str(body), "--secret", SECRET, *_options(headers), "--json")
    assert tampered_json.exit_code == 1
    assert json.loads(tampered_json.stdout)["error"]["code"] == "invalid_signature"
    other_secret = "whsec_" + base64.b64encode(b"x" * 32).decode()
    wrong = _verify("-", "--secret", other_secret, *_options(headers), input=BODY)
    assert wrong.exit_code == 1 and "invalid_signature" in wrong.stderr


def test_old_timestamps_and_bad_input() -> None:
    old = _signed(BODY, datetime.fromtimestamp(time.time() - 3600, UTC))
    stale = _verify("-", "--secret", SECRET, *_options(old), input=BODY)
    assert stale.exit_code == 1 and "error: timestamp_out_of_tolerance" in stale.stderr
    anytime = _verify("-", "--secret", SECRET, "--tolerance", "0", *_options(old), input=BODY)
    assert anytime.exit_code == 0, anytime.stderr

    fresh = _signed(BODY, datetime.now(UTC))
    no_secret = _verify("-", *_options(fresh), input=BODY)
    assert no_secret.exit_code == 2 and "--secret" in no_secret.stderr
    no_headers = _verify("-", "--secret", SECRET, input=BODY)
    assert no_headers.exit_code == 2 and "webhook-signature" in no_headers.stderr
    bad_header = _verify("-", "--secret", SECRET, "-H", "no colon", input=BODY)
    assert bad_header.exit_code == 2
    missing_file = _verify("/nonexistent/body", "--secret", SECRET, *_options(fresh))
    assert missing_file.exit_code == 2
