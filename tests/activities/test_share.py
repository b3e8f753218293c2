"""SlotShare: each endpoint's share of a worker's first-try and retry slots."""

from __future__ import annotations

from pathlib import Path

from activities.share import SlotShare
from tests.support.stack import make_settings


def test_an_endpoint_gets_its_share_of_each_kind_and_no_more() -> None:
    share = SlotShare({"local": 2, "retry": 1})
    assert share.take("local", "ep_slow") and share.take("local", "ep_slow")
    assert not share.take("local", "ep_slow")
    assert share.take("local", "ep_ok")  # another endpoint is not held up
    assert share.take("retry", "ep_slow") and not share.take("retry", "ep_slow")
    share.release("local", "ep_slow")
    assert share.in_flight("local", "ep_slow") == 1
    assert share.take("local", "ep_slow")


def test_the_share_comes_from_the_slot_settings(tmp_path: Path) -> None:
    settings = make_settings(
        tmp_path,
        "127.0.0.1:7233",
        max_concurrent_local_activities=100,
        retry_isolation="queue",
        retry_max_concurrent_activities=3,
        endpoint_slot_share=0.25,
    )
    share = SlotShare.from_settings(settings)
    assert [share.take("local", "e") for _ in range(26)].count(True) == 25
    assert [share.take("retry", "e") for _ in range(2)] == [True, False]  # at least one


def test_retries_on_the_main_queue_share_its_slots(tmp_path: Path) -> None:
    settings = make_settings(
        tmp_path, "127.0.0.1:7233", retry_isolation="off", max_concurrent_activities=8
    )
    share = SlotShare.from_settings(settings)
    assert [share.take("retry", "e") for _ in range(3)] == [True, True, False]


def test_a_share_of_zero_caps_nothing(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, "127.0.0.1:7233", endpoint_slot_share=0)
    share = SlotShare.from_settings(settings)
    assert all(share.take("local", "e") for _ in range(1000))
