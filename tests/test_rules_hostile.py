"""Hostile input found by a security review: each defect, pinned by the input that showed it.

Threads that share stdout with the EDTF parser, cells built to make the parser slow, impossible days
behind X digits, seasons, invisible characters, codes that differ only in case, one-character quotes.
"""

import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from azru.edtf_dates import EdtfError, bounds
from azru.rules import Finding
from azru.validate import render, validate
from strategies import REPO, fixture_data, write_package

# --- threads --------------------------------------------------------------------------------------------


def test_ten_validations_at_once_each_print_the_same_complete_report(capsys: pytest.CaptureFixture[str]) -> None:
    """The repository's dates include X digits and intervals, which take the EDTF parser's path."""
    expected = render(validate(REPO), "text", 0)
    assert expected.rpartition("\n")[2].startswith(("valid", "invalid"))  # the summary: the report is whole

    def report(_: int) -> str:
        text = render(validate(REPO), "text", 0)
        sys.stdout.write(text + "\n")  # one write, so that reports printed at once do not interleave
        return text

    with ThreadPoolExecutor(max_workers=10) as pool:
        reports = list(pool.map(report, range(10)))
    assert reports == [expected] * 10
    assert capsys.readouterr().out == (expected + "\n") * 10


def test_what_other_threads_print_while_dates_parse_is_kept(capsys: pytest.CaptureFixture[str]) -> None:
    """2024-01-3X makes the parser fail inside a parse action, which prints unless silenced."""
    stop = threading.Event()
    printed: list[int] = []

    def chatter() -> None:
        while not stop.is_set():
            print(f"line {len(printed)}")
            printed.append(len(printed))
            time.sleep(0.001)

    thread = threading.Thread(target=chatter)
    thread.start()
    try:
        for _ in range(20):
            with pytest.raises(EdtfError):
                bounds("2024-01-3X")
    finally:
        stop.set()
        thread.join()
    assert capsys.readouterr().out.splitlines() == [f"line {n}" for n in printed]


# --- slow parses ----------------------------------------------------------------------------------------


def validate_hostile_dates(folder: Path, cells: int, size: int) -> tuple[float, list[Finding]]:
    """Seconds to validate the fixture with `cells` more events dated `[n,2024,2024,...]` (`size` characters)."""
    data = fixture_data()
    events = data.tables["events"]
    for n in range(cells):
        date = f"[{n}," + ",".join(["2024"] * (size // 5)) + "]"
        events.append(events[0] | {"event_id": f"evt-{n + 100:010d}", "date": date})
    pkg = write_package(folder, data)
    start = time.perf_counter()
    found = validate(pkg.root, pkg.archive)
    return time.perf_counter() - start, found


def test_dates_that_break_their_pattern_are_not_parsed(tmp_path: Path) -> None:
    """Twenty 10 KB cells took half an hour, as the EDTF parser's time grows faster than its input."""
    small, found = validate_hostile_dates(tmp_path / "small", 20, 10_000)
    large, _ = validate_hostile_dates(tmp_path / "large", 20, 20_000)
    codes = Counter((f.code, f.field) for f in found)
    assert codes[("pattern-mismatch", "date")] == 20 and not codes[("edtf-invalid", "date")]
    assert small < 20
    assert large < 2 * small + 1


def test_a_long_value_is_refused_unparsed() -> None:
    start = time.perf_counter()
    with pytest.raises(EdtfError, match=r"^longer than 64 characters$"):
        bounds("2024," * 2000)
    assert time.perf_counter() - start < 0.1
