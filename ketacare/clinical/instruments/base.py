"""What every instrument is made of: items, severity bands, the score result, and the one
place where raw answers are checked and put in item order.

Answer checking is the hot path (thousands of scores per request in analytics), so the
common case, a list of plain ints in range, is one tight loop; everything unusual falls
through to a slower path that either normalises the value or raises `InvalidAnswers`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeAlias

Total: TypeAlias = int | float
# A checked answer sheet: one entry per item, in item order; None only for an optional item.
Values: TypeAlias = Sequence[int | None]
# What callers may pass: a list in item order or {item_number: value} (JSON keys as strings).
Answers: TypeAlias = Sequence[Any] | Mapping[Any, Any]


class InvalidAnswers(ValueError):
    """The answers cannot be scored. `item` is the item number at fault, or None when the
    problem is the answer sheet as a whole (wrong count, not a list or dict, unknown key)."""

    def __init__(self, message: str, *, item: int | None = None) -> None:
        super().__init__(message)
        self.item = item


class UnknownInstrument(LookupError):
    """No instrument has this code."""

    def __init__(self, code: object, known: Sequence[str] = ()) -> None:
        known_text = f" (known: {', '.join(known)})" if known else ""
        super().__init__(f"unknown instrument {code!r}{known_text}")
        self.code = code


@dataclass(frozen=True, slots=True)
class Item:
    number: int
    text: str
    allowed: range
    # Labels for the allowed values, in order (empty when the scale has only anchors).
    choices: tuple[str, ...] = ()
    # False only where the reference lets the item be left blank.
    required: bool = True
    # False for an item that is stored but not part of the total (PHQ-9 item 10).
    scored: bool = True

    @property
    def allowed_values(self) -> tuple[int, ...]:
        return tuple(self.allowed)

    @property
    def allowed_text(self) -> str:
        return f"{self.allowed.start}–{self.allowed.stop - 1}"


@dataclass(frozen=True, slots=True)
class Band:
    """Totals from `low` to `high` inclusive carry `label`."""

    low: int
    high: int
    label: str


@dataclass(frozen=True, slots=True)
class ScoreResult:
    code: str
    total: Total
    severity: str | None
    flags: frozenset[str]
    subscales: dict[str, Total | None] = field(hash=False)
    # The checked answers in item order, None where an optional item was left blank.
    answers: tuple[int | None, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "total": self.total,
            "severity": self.severity,
            "flags": sorted(self.flags),
            "subscales": dict(self.subscales),
            "answers": list(self.answers),
        }


Scorer: TypeAlias = Callable[[Values], ScoreResult]


@dataclass(frozen=True, slots=True, eq=False)
class Instrument:
    """An instrument's definition, as data pages can show, plus its scorer."""

    code: str
    title: str
    source: str
    instructions: str
    items: tuple[Item, ...]
    total_range: tuple[Total, Total]
    scorer: Scorer = field(repr=False)
    bands: tuple[Band, ...] = ()
    # Every label the instrument can give, mildest first (the bands' labels, or C-SSRS's).
    severity_labels: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()
    subscales: tuple[str, ...] = ()
    loinc_panel: str | None = None
    loinc_total: str | None = None
    clinician_rated: bool = False
    # C-SSRS answers are yes/no, so True/False are accepted as 1/0.
    accepts_bools: bool = False
    # Precomputed for `check`: a list may stop after the last required item.
    _min_count: int = field(init=False, repr=False)
    _low: int = field(init=False, repr=False)
    _high: int = field(init=False, repr=False)
    _count_text: str = field(init=False, repr=False)

    def __post_init__(self) -> None:
        numbers = [item.number for item in self.items]
        if numbers != list(range(1, len(self.items) + 1)):
            raise ValueError(f"{self.code}: items must be numbered 1..n in order")
        ranges = {item.allowed for item in self.items}
        if len(ranges) != 1:
            raise ValueError(f"{self.code}: the fast path expects one value range for all items")
        (allowed,) = ranges
        required = [item.number for item in self.items if item.required]
        min_count = max(required) if required else 0
        count = len(self.items)
        if not self.severity_labels and self.bands:
            object.__setattr__(self, "severity_labels", tuple(b.label for b in self.bands))
        object.__setattr__(self, "_min_count", min_count)
        object.__setattr__(self, "_low", allowed.start)
        object.__setattr__(self, "_high", allowed.stop - 1)
        object.__setattr__(
            self,
            "_count_text",
            f"{count}" if min_count == count else f"{min_count} to {count}",
        )

    def allowed_text(self, item: Item) -> str:
        if self.accepts_bools:
            return f"{item.allowed_text} or false/true"
        return item.allowed_text

    def score(self, answers: Answers) -> ScoreResult:
        return self.scorer(self.check(answers))

    def check(self, answers: Answers) -> Values:
        """Return the answers as a sequence in item order, or raise InvalidAnswers."""
        kind = answers.__class__
        if kind is list or kind is tuple:
            values: Sequence[Any] = answers  # type: ignore[assignment]
        elif isinstance(answers, Mapping):
            values = self._from_mapping(answers)
        elif isinstance(answers, Sequence) and not isinstance(answers, str | bytes):
            values = list(answers)
        else:
            raise InvalidAnswers(
                f"answers must be a list in item order or a dict {{item_number: value}}, "
                f"not {type(answers).__name__}"
            )
        count = len(values)
        missing = len(self.items) - count
        if missing and (count < self._min_count or missing < 0):
            raise InvalidAnswers(
                f"expected {self._count_text} answers (items 1–{len(self.items)}), got {count}"
            )
        low = self._low
        high = self._high
        for value in values:
            if value.__class__ is not int or value < low or value > high:
                return self._check_slowly([*values, *([None] * missing)])
        # Items after the last required one may be left off the end of a list.
        return [*values, *([None] * missing)] if missing else values

    def _check_slowly(self, values: Sequence[Any]) -> Values:
        checked: list[int | None] = []
        for item, value in zip(self.items, values, strict=True):
            if value is None:
                if item.required:
                    raise InvalidAnswers(
                        f"item {item.number}: missing (allowed: {self.allowed_text(item)})",
                        item=item.number,
                    )
                checked.append(None)
                continue
            if value.__class__ is bool and self.accepts_bools:
                value = int(value)
            if value.__class__ is not int or value not in item.allowed:
                raise InvalidAnswers(
                    f"item {item.number}: {value!r} is not allowed "
                    f"(allowed: {self.allowed_text(item)})",
                    item=item.number,
                )
            checked.append(value)
        return checked

    def _from_mapping(self, answers: Mapping[Any, Any]) -> list[Any]:
        count = len(self.items)
        unset = _UNSET
        values: list[Any] = [unset] * count
        for key, value in answers.items():
            number = _item_number(key)
            if number is None or not 1 <= number <= count:
                raise InvalidAnswers(f"answer key {key!r} is not an item number (items 1–{count})")
            if values[number - 1] is not unset:
                raise InvalidAnswers(f"item {number}: answered twice", item=number)
            values[number - 1] = value
        return [None if value is unset else value for value in values]


_UNSET: Any = object()


def _item_number(key: object) -> int | None:
    if key.__class__ is int:
        return key
    # JSON object keys are strings: accept "1", not "1.0", " 1" or "one".
    if isinstance(key, str) and key.isascii() and key.isdigit():
        return int(key)
    return None


def severity_table(bands: Sequence[Band]) -> tuple[str, ...]:
    """Label for every integer total from 0, for O(1) lookup on the hot path."""
    if not bands or bands[0].low != 0:
        raise ValueError("bands must start at 0")
    table: list[str] = []
    for band in bands:
        if band.low != len(table) or band.high < band.low:
            raise ValueError(f"bands must be contiguous: {band}")
        table.extend([band.label] * (band.high - band.low + 1))
    return tuple(table)
