"""Hostile input found by a security review: each defect, pinned by the input that showed it.

Threads that share stdout with the EDTF parser, cells built to make the parser slow, impossible days
behind X digits, seasons, invisible characters, codes that differ only in case, one-character quotes.
"""

import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from azru.edtf_dates import EdtfError, bounds
from azru.validate import render, validate
from strategies import REPO

# --- threads --------------------------------------------------------------------------------------------


def test_ten_validations_at_once_each_print_the_same_complete_report(capsys: pytest.CaptureFixture[str]) -> None:
    """The repository's dates include X digits and intervals, which take the EDTF parser's path."""
    expected = render(validate(REPO), "text", 0)
    assert expected.endswith("\nvalid (1 notice)")

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
