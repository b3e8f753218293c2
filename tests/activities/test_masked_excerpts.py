"""What a receiver answers is stored masked in the attempt log."""

from __future__ import annotations

from tests.support.receiver import Answer, Receiver
from tests.support.stack import Stack, fast_retry

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
ECHO = (
    "rejected; you sent Authorization: Bearer abcdefghijklmnop\n"
    "Cookie: sid=s3cr3tcookie\n"
    f'{{"contact": "alice@example.com", "phone": "13812345678", "echo": "{SECRET}"}}'
)


async def test_the_attempt_log_keeps_a_masked_excerpt(stack: Stack, receiver: Receiver) -> None:
    receiver.default = Answer(status=400, body=ECHO.encode())
    tenant = await stack.tenant()
    await stack.endpoint(tenant["id"], receiver.url, retry=fast_retry())
    [callback_id] = (await stack.post_event(tenant["id"]))["callback_ids"]
    callback = await stack.wait_status(callback_id, "dead_lettered")
    [attempt] = callback["attempt_log"]
    excerpt = attempt["response_excerpt"]
    assert attempt["status_code"] == 400
    for leaked in ("abcdefghijklmnop", "s3cr3tcookie", "alice@", "38123456", SECRET[10:]):
        assert leaked not in excerpt, (leaked, excerpt)
    assert "Authorization: [masked]" in excerpt and "Cookie: [masked]" in excerpt
    assert "a***@example.com" in excerpt and "138****5678" in excerpt
    assert excerpt.startswith("rejected; you sent")  # the rest is kept as it was
