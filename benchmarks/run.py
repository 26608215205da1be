"""Time `azru validate` against `frictionless validate` on synthetic packages of growing size.

    .venv/bin/python benchmarks/run.py [--sizes 10000,100000,1000000]

For each size: `azru synth` writes a package like this repository's into benchmarks/work/<N>/
(gitignored), then each validator runs on it as a child process, timed by the wall clock, with its
peak resident memory taken from wait4(2), which reports that one child. Writes benchmarks/RESULTS.md,
keeping the sections other benchmarks add after its own.
"""

import argparse
import os
import platform
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import date
from importlib.metadata import version
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent  # the package the synthetic ones imitate
WORK = HERE / "work"
RESULTS = HERE / "RESULTS.md"
# The tools installed next to the interpreter that runs this script (the project's .venv).
BIN = Path(sys.executable).parent
DEFAULT_SIZES = "10000,100000,1000000"
VERSIONS_OF = ["polars", "pyarrow", "duckdb", "edtf", "frictionless"]
# azru's time at 1M events varies by a few per cent from run to run, so it is the median of three;
# frictionless (minutes, a few per cent of spread) runs once
AZRU_RUNS = 3
TARGET_SPEEDUP = 20
TARGET_PEAK_MIB = 1024
MIB = 1024 * 1024
OWN_SECTIONS = ("## Machine", "## Validation time and peak memory", "## Rows per table")


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_mib: float
    exit_code: int


@dataclass(frozen=True)
class Measurement:
    events: int
    rows: dict[str, int]
    csv_bytes: int
    archive_bytes: int
    synth: Run
    azru: Run
    frictionless: Run


def measure(command: list[str], log: Path) -> Run:
    """Wall time, peak memory and exit code of one child process; its output goes to `log`."""
    with open(log, "wb") as output:
        started = time.perf_counter()
        child = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    return Run(seconds, usage.ru_maxrss * 1024 / MIB, child.returncode)  # ru_maxrss is in KiB on Linux


def rows_per_table(package: Path) -> dict[str, int]:
    """Data rows per CSV: lines minus the header (synthetic cells never hold a newline)."""
    counts = {}
    for path in sorted((package / "data").glob("*.csv")):
        with open(path, "rb") as file:
            lines = sum(block.count(b"\n") for block in iter(lambda: file.read(MIB), b""))
        counts[path.stem] = lines - 1
    return counts


def size_of(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def benchmark(events: int) -> Measurement:
    package = WORK / str(events)
    shutil.rmtree(package, ignore_errors=True)
    WORK.mkdir(parents=True, exist_ok=True)
    synth = measure(
        [str(BIN / "azru"), "synth", "--events", str(events), "--like", str(REPO), str(package)],
        WORK / f"{events}-synth.log",
    )
    if synth.exit_code:
        sys.exit(f"azru synth failed; see {WORK / f'{events}-synth.log'}")
    os.sync()  # so that neither validator shares the disk with the write-back of the package just written
    command = [str(BIN / "azru"), "validate", str(package), "--archive", str(package / "archive")]
    azru = typical([measure(command, WORK / f"{events}-azru-{run}.log") for run in range(1, AZRU_RUNS + 1)])
    frictionless = measure(
        [str(BIN / "frictionless"), "validate", str(package / "datapackage.json")], WORK / f"{events}-frictionless.log"
    )
    return Measurement(
        events=events,
        rows=rows_per_table(package),
        csv_bytes=size_of(package / "data"),
        archive_bytes=size_of(package / "archive"),
        synth=synth,
        azru=azru,
        frictionless=frictionless,
    )


def typical(runs: list[Run]) -> Run:
    """The median time of several runs, with the highest peak and the first failing exit code."""
    middle = sorted(runs, key=lambda run: run.seconds)[len(runs) // 2]
    failed = next((run.exit_code for run in runs if run.exit_code), 0)
    return Run(middle.seconds, max(run.peak_mib for run in runs), failed)


def cpu_model() -> str:
    with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
        names = [line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")]
    return names[0] if names else platform.processor() or "unknown"


def memory_gib() -> float:
    with open("/proc/meminfo", encoding="utf-8") as meminfo:
        total_kib = next(int(line.split()[1]) for line in meminfo if line.startswith("MemTotal:"))
    return total_kib / MIB


def machine(load: float) -> list[str]:
    packages = ", ".join(f"{name} {version(name)}" for name in VERSIONS_OF)
    return [
        f"- CPU: {cpu_model()}, {os.cpu_count()} logical cores",
        f"- RAM: {memory_gib():.1f} GiB",
        f"- OS: {platform.system()} {platform.release()}",
        f"- Python {platform.python_version()}; {packages}",
        f"- Load average when the run started: {load:.1f} (above 0 means other work shared the CPU)",
    ]


def run_cell(run: Run) -> str:
    """Seconds, flagged when the validator did not exit 0: its time would not be a fair figure."""
    return f"{run.seconds:.1f}" if run.exit_code == 0 else f"{run.seconds:.1f} (exit {run.exit_code})"


def timings(measurements: list[Measurement]) -> list[str]:
    lines = [
        "| events | rows, all tables | CSV MiB | archive MiB | synth s | azru validate s | azru peak MiB "
        "| frictionless s | frictionless peak MiB | speed-up |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for m in measurements:
        lines.append(
            f"| {m.events:,} | {sum(m.rows.values()):,} | {m.csv_bytes / MIB:.0f} | {m.archive_bytes / MIB:.0f} "
            f"| {m.synth.seconds:.1f} | {run_cell(m.azru)} | {m.azru.peak_mib:.0f} "
            f"| {run_cell(m.frictionless)} | {m.frictionless.peak_mib:.0f} "
            f"| {m.frictionless.seconds / m.azru.seconds:.1f}× |"
        )
    return lines


def rows_table(measurements: list[Measurement]) -> list[str]:
    lines = [
        "| table | " + " | ".join(f"{m.events:,} events" for m in measurements) + " |",
        "|---|" + "---:|" * len(measurements),
    ]
    for table in measurements[0].rows:
        lines.append(f"| {table} | " + " | ".join(f"{m.rows[table]:,}" for m in measurements) + " |")
    return lines


def verdict(largest: Measurement) -> str:
    speedup = largest.frictionless.seconds / largest.azru.seconds
    met = (
        speedup >= TARGET_SPEEDUP
        and largest.azru.peak_mib <= TARGET_PEAK_MIB
        and largest.azru.exit_code == largest.frictionless.exit_code == 0
    )
    return (
        f"Target at {largest.events:,} events: `azru validate` at least {TARGET_SPEEDUP}× faster than "
        f"`frictionless validate`, with a peak of at most {TARGET_PEAK_MIB} MiB. Measured: {speedup:.1f}×, "
        f"{largest.azru.peak_mib:.0f} MiB, so the target is **{'met' if met else 'not met'}**."
    )


def report(measurements: list[Measurement], load: float) -> str:
    lines = [
        "# Benchmark results",
        "",
        f"Written by `benchmarks/run.py` on {date.today().isoformat()}; see benchmarks/README.md for what is "
        "measured and how to read it.",
        "",
        "## Machine",
        "",
        *machine(load),
        "",
        "## Validation time and peak memory",
        "",
        *timings(measurements),
        "",
        verdict(max(measurements, key=lambda m: m.events)),
        "",
        "## Rows per table",
        "",
        *rows_table(measurements),
    ]
    return "\n".join(lines) + "\n"


def sections_of_others(previous: str) -> str:
    """The sections of RESULTS.md that this script does not write (other benchmarks add theirs after its
    own), from the first of them to the end, as they are."""
    lines = previous.splitlines(keepends=True)
    starts = [i for i, line in enumerate(lines) if line.startswith("## ") and line.rstrip("\n") not in OWN_SECTIONS]
    return "".join(lines[starts[0] :]) if starts else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--sizes", default=DEFAULT_SIZES, help=f"comma-separated numbers of events (default {DEFAULT_SIZES})"
    )
    sizes = [int(size) for size in parser.parse_args().sizes.split(",")]
    load = os.getloadavg()[0]
    measurements = []
    for events in sizes:
        measurement = benchmark(events)
        print(
            f"{events:>9,} events: azru {run_cell(measurement.azru)} s, "
            f"frictionless {run_cell(measurement.frictionless)} s",
            flush=True,
        )
        measurements.append(measurement)
    previous = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else ""
    kept = sections_of_others(previous)
    RESULTS.write_text(report(measurements, load) + ("\n" + kept if kept else ""), encoding="utf-8")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
