"""Balancing strategies: the distributions they produce, as properties over many inputs."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.balancing import (
    STRATEGIES,
    Candidate,
    HashRing,
    choose,
    least_connections,
    round_robin,
    smooth_weighted,
)

weights_lists = st.lists(st.integers(min_value=1, max_value=12), min_size=1, max_size=8)
keys = [f"https://t{i}.shop.example/cb" for i in range(8)]


@given(count=st.integers(1, 20), rounds=st.integers(1, 5), start=st.integers(0, 10**9))
def test_round_robin_gives_every_target_the_same_share(count: int, rounds: int, start: int) -> None:
    picks = Counter(round_robin(count, start + n) for n in range(count * rounds))
    assert picks == dict.fromkeys(range(count), rounds)


@given(weights=weights_lists, start=st.integers(0, 10**6))
def test_smooth_weighted_period_gives_each_target_its_weight(
    weights: list[int], start: int
) -> None:
    total = sum(weights)
    picks = Counter(smooth_weighted(weights, start + n) for n in range(total))
    assert picks == {i: w for i, w in enumerate(weights)}


@given(weights=weights_lists)
def test_smooth_weighted_interleaves(weights: list[int]) -> None:
    """No prefix of a period strays two picks from a target's exact share (smooth weighted
    round robin keeps it near one: 1.06 at worst for weights [3, 14, 1, 14, 1], so "under one"
    does not hold; a schedule that sends a target's picks in a row strays by half its weight)."""
    total = sum(weights)
    seen = Counter[int]()
    for n in range(total):
        seen[smooth_weighted(weights, n)] += 1
        for i, weight in enumerate(weights):
            assert abs(seen[i] - (n + 1) * weight / total) < 2


def test_smooth_weighted_is_nginx_order() -> None:
    assert [smooth_weighted([5, 1, 1], n) for n in range(7)] == [0, 0, 1, 0, 2, 0, 0]


@given(
    flights=st.lists(st.integers(0, 50), min_size=1, max_size=8),
    data=st.data(),
    sequence=st.integers(0, 1000),
)
def test_least_connections_picks_the_least_loaded_per_weight(
    flights: list[int], data: st.DataObject, sequence: int
) -> None:
    weights = data.draw(st.lists(st.integers(1, 5), min_size=len(flights), max_size=len(flights)))
    chosen = least_connections(flights, weights, sequence)
    load = flights[chosen] / weights[chosen]
    assert all(load <= f / w for f, w in zip(flights, weights, strict=True))


@given(count=st.integers(2, 6), deliveries=st.integers(10, 200))
def test_least_connections_keeps_equal_targets_level(count: int, deliveries: int) -> None:
    """Deliveries that never finish pile up evenly on equal targets."""
    flights = [0] * count
    for n in range(deliveries):
        flights[least_connections(flights, [1] * count, n)] += 1
    assert max(flights) - min(flights) <= 1


@settings(max_examples=30, deadline=None)
@given(count=st.integers(2, 6), removed=st.data())
def test_ring_moves_only_the_keys_of_a_removed_target(count: int, removed: st.DataObject) -> None:
    targets = [(k, 1) for k in keys[:count]]
    gone = removed.draw(st.sampled_from(keys[:count]))
    before = HashRing(targets)
    after = HashRing([t for t in targets if t[0] != gone])
    for n in range(500):
        key = f"msg-{n}"
        owner = before.lookup(key)
        if owner != gone:
            assert after.lookup(key) == owner
        else:
            assert after.lookup(key) != gone


@pytest.mark.parametrize("count", [2, 3, 5])
def test_ring_spreads_keys_evenly_and_by_weight(count: int) -> None:
    ring = HashRing([(k, 1) for k in keys[:count]])
    share = Counter(ring.lookup(f"msg-{n}") for n in range(20_000))
    for key in keys[:count]:
        assert abs(share[key] / 20_000 - 1 / count) < 0.25 / count
    weighted = HashRing([(keys[0], 3), (keys[1], 1)])
    share = Counter(weighted.lookup(f"msg-{n}") for n in range(20_000))
    assert 0.68 < share[keys[0]] / 20_000 < 0.82


@settings(max_examples=50, deadline=None)
@given(
    strategy=st.sampled_from(STRATEGIES),
    health=st.lists(st.booleans(), min_size=1, max_size=6),
    sequence=st.integers(0, 10**6),
    message=st.text(max_size=20),
)
def test_choose_prefers_healthy_targets(
    strategy: str, health: list[bool], sequence: int, message: str
) -> None:
    candidates = [Candidate(keys[i], 1 + i % 3, ok, i) for i, ok in enumerate(health)]
    chosen = choose(strategy, candidates, sequence=sequence, hash_key=message)
    assert candidates[chosen].healthy or not any(health)


@settings(max_examples=30, deadline=None)
@given(message=st.text(max_size=30), sick=st.integers(0, 3))
def test_consistent_hash_skips_an_unhealthy_target_and_keeps_the_others(
    message: str, sick: int
) -> None:
    healthy = [Candidate(k) for k in keys[:4]]
    owner = choose("consistent_hash", healthy, hash_key=message)
    assert choose("consistent_hash", healthy, hash_key=message) == owner  # stable
    ailing = [Candidate(c.key, healthy=i != sick) for i, c in enumerate(healthy)]
    moved = choose("consistent_hash", ailing, hash_key=message)
    assert moved == owner if owner != sick else moved != sick


def test_unknown_strategy_and_no_targets_are_errors() -> None:
    with pytest.raises(ValueError, match="unknown"):
        choose("random", [Candidate("a")])
    with pytest.raises(ValueError, match="no targets"):
        choose("round_robin", [])
