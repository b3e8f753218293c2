"""The workflow and activity I/O dataclasses keep real (not string) annotations: Temporal's
converter resolves a dataclass's type hints for every payload, and resolving strings means
compiling them each time (about 5x the cost; docs/performance.md)."""

from __future__ import annotations

import dataclasses
from types import ModuleType

import pytest

from core import alert_contracts, callback_contracts, delivery_contracts, recovery_contracts

MODULES = [alert_contracts, callback_contracts, delivery_contracts, recovery_contracts]


def _dataclasses(module: ModuleType) -> list[type]:
    return [
        value
        for value in vars(module).values()
        if isinstance(value, type)
        and value.__module__ == module.__name__
        and dataclasses.is_dataclass(value)
    ]


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_contract_annotations_are_types_not_strings(module: ModuleType) -> None:
    classes = _dataclasses(module)
    assert classes
    strings = [
        f"{cls.__name__}.{f.name}"
        for cls in classes
        for f in dataclasses.fields(cls)
        if isinstance(f.type, str)
    ]
    assert strings == []
