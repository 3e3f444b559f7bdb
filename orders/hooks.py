"""Checks a channel runs on a whole order batch before it is written (e.g. VBP-4's cap on
non-selected products). `orders` imports no channel: a channel registers its check from
its `AppConfig.ready()`.

    check(institution, lines: list[BatchLine], at: date) -> BatchCheck | None

A check answers with one query for the whole batch (never one per line). `errors` refuse
the batch (all-or-nothing, every offending line reported); `after_create(order)` runs in
the order's transaction (e.g. to flag it for the regulator)."""

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class BatchLine:
    index: int  # position in the submitted batch
    product_id: int
    quantity: int


@dataclass
class BatchCheck:
    errors: list[dict] = field(default_factory=list)  # {"line", "code", "detail", "field"}
    after_create: Callable | None = None


_batch_checks: list[Callable] = []


def register_batch_check(fn: Callable) -> None:
    if fn not in _batch_checks:
        _batch_checks.append(fn)


def run_batch_checks(institution, lines: list[BatchLine], at) -> list[BatchCheck]:
    return [result for fn in _batch_checks if (result := fn(institution, lines, at)) is not None]
