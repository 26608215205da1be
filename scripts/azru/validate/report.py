"""What a validation found, and how it is shown: as text, as JSON, or as GitHub workflow annotations."""

import json
import threading
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from ..package import DESCRIPTOR
from .rules import LISTED_PER_CODE, RULES, Finding, More, Stage

DEFAULT_LIMIT = 20  # findings of one code shown unless asked otherwise
KEPT_PER_CODE = LISTED_PER_CODE  # findings of one code kept for the report; the rest are only counted


@dataclass
class Report:
    findings: list[Finding]  # in a stable order, at most KEPT_PER_CODE of each code
    counts: Counter[str]  # of every finding, kept or not

    @property
    def invalid(self) -> bool:
        return any(RULES[code].level == "error" for code in self.counts)


class Tally:
    """Findings as stages yield them, in any thread: the first KEPT_PER_CODE of each code, and counts."""

    def __init__(self) -> None:
        self.kept: list[Finding] = []
        self.counts: Counter[str] = Counter()
        self.kept_counts: Counter[str] = Counter()
        self.lock = threading.Lock()

    def add(self, stage: Stage, items: Iterable[Finding | More]) -> None:
        """Take a stage's findings, each of a rule the stage declares."""
        for item in items:
            stage.vouch(item)
            with self.lock:
                if isinstance(item, More):
                    if item.count > 0:
                        self.counts[item.code] += item.count
                    continue
                self.counts[item.code] += 1
                if self.kept_counts[item.code] < KEPT_PER_CODE:
                    self.kept_counts[item.code] += 1
                    self.kept.append(item)

    def report(self) -> Report:
        return Report(sorted(self.kept, key=_order), self.counts)


def _order(f: Finding) -> tuple[str, int, int, str]:
    return (f.file or "", f.line or 0, f.column or 0, f.code)


def render(report: Report, fmt: str, limit: int) -> str:
    shown, hidden = _limit(report, limit)
    if fmt == "json":
        return json.dumps(
            {
                "valid": not report.invalid,
                "counts": dict(sorted(report.counts.items())),
                "not_shown": hidden,
                "findings": [f.as_dict() for f in shown],
            },
            ensure_ascii=False,
            indent=1,
        )
    if fmt == "github":
        return "\n".join(_github(f) for f in shown)
    lines = [_text(f) for f in shown]
    lines.append(summary(report, hidden))
    return "\n".join(lines)


def _limit(report: Report, limit: int) -> tuple[list[Finding], dict[str, int]]:
    """The findings to show, at most `limit` of a code (0: all kept), and how many of each are not."""
    seen: Counter[str] = Counter()
    shown = []
    for f in report.findings:
        seen[f.code] += 1
        if limit <= 0 or seen[f.code] <= limit:
            shown.append(f)
    shown_counts = Counter(f.code for f in shown)
    hidden = {code: n - shown_counts[code] for code, n in sorted(report.counts.items()) if n > shown_counts[code]}
    return shown, hidden


def _location(f: Finding) -> str:
    parts = [f.file or DESCRIPTOR, *(str(p) for p in (f.line, f.column) if p is not None)]
    return ":".join(parts)


def _text(f: Finding) -> str:
    return f"{_location(f)}: {f.code}: {f.message} (hint: {f.hint})"


def _github(f: Finding) -> str:
    kind = "error" if f.rule.level == "error" else "notice"
    props = [("file", f.file or DESCRIPTOR), ("line", f.line), ("col", f.column), ("title", f.code)]
    head = ",".join(f"{k}={_escape(str(v), True)}" for k, v in props if v is not None)
    return f"::{kind} {head}::{_escape(f'{f.message} (hint: {f.hint})', False)}"


def _escape(text: str, property_value: bool) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if property_value else text


def _count(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def summary(report: Report, hidden: dict[str, int]) -> str:
    errors = Counter({code: n for code, n in report.counts.items() if RULES[code].level == "error"})
    notices = report.counts.total() - errors.total()
    if not errors:
        head = "valid" + (f" ({_count(notices, 'notice')})" if notices else "")
        return head
    files_hit = len({f.file for f in report.findings if f.rule.level == "error"})
    by_code = ", ".join(f"{code} {n}" for code, n in sorted(errors.items(), key=lambda item: (-item[1], item[0])))
    more = ", ".join(f"{n} more {code}" for code, n in hidden.items())
    text = f"invalid: {_count(errors.total(), 'error')} in {_count(files_hit, 'file')} ({by_code})"
    listed = f"--max-per-code 0 lists up to {KEPT_PER_CODE} of each"
    return text + (f"; not shown: {more} ({listed})" if more else "")
