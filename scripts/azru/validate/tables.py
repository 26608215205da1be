"""Loading every table into DuckDB, each followed by its cell checks, with the provenance work started in
a worker thread as soon as the tables it reads are in.

A large table is loaded and checked at once, streaming its findings, and then drops the fields no check
reads. Small tables (load.is_small) cost more in statements than in work, so they go in batches: each
read fast, then all measured in one query, all cells checked in another (cells.tables_with_bad_cells),
and each copied under its name with the fields the checks read. Findings still come in the order of the
tables, as the report keeps the first of each code it meets.
"""

from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial
from pathlib import Path

from .. import domain
from ..package import Table
from . import cells, load, provenance
from .context import Check, Context, engine_errors_are_bugs, run_check, unread
from .load import Measure
from .report import Tally
from .rules import Finding, More, Stage
from .scan import Signs, looks_plain

TABLES_LOADED = Stage("loading the tables", load.EMITS)
CELLS_CHECKED = Stage("checking the cells", cells.EMITS)


class Tables:
    """The loading of a package's tables, in an order that lets the archive's texts go early."""

    def __init__(
        self,
        ctx: Context,
        paths: dict[str, Path],
        checks: tuple[Check, ...],
        tally: Tally,
        worker: ThreadPoolExecutor,
    ) -> None:
        """`paths` names the opened table files for the engines; `checks` are those that run once the tables
        are in; `worker` is one thread for plain Python work, which must outlive the checks (provenance
        waits for what it starts there)."""
        self.ctx, self.paths, self.checks, self.tally, self.worker = ctx, paths, checks, tally, worker
        # the tables with quotes go first, so the archive's texts can be checked and dropped early
        self.order = sorted(
            (table for table in ctx.package.tables.values() if table.name in paths),
            key=lambda table: table.name not in domain.VERBATIM_TABLES,
        )
        self.settled: set[str] = set()  # tables whose load findings are in, loaded or not
        self.signs: dict[str, Future[Signs]] = {}

    def load(self) -> None:
        """Load and check every table. Byte scans, then the archive's file work, are plain Python that
        runs in the worker beside DuckDB, which frees the GIL; DuckDB reads each file while it is scanned."""
        self.signs = {table.name: self.worker.submit(looks_plain, self.paths[table.name]) for table in self.order}
        small: list[Table] = []
        for table in self.order:
            if load.is_small(self.paths[table.name]):
                small.append(table)
                continue
            self._load_small(small)
            small = []
            self._load_large(table)
        self._load_small(small)

    def _load_large(self, table: Table) -> None:
        """One table, its findings streamed; after its cells are checked, the fields no check reads go."""
        found, ok = load.load_table(self.ctx.con, table, self.paths[table.name], self.signs[table.name])
        with engine_errors_are_bugs(f"loading {table.path}"):
            self.tally.add(TABLES_LOADED, found)
        if ok:
            self.ctx.loaded.add(table.name)
            self.tally.add(CELLS_CHECKED, run_check(f"cells of {table.name}", partial(self._checked, table)))
        self._settled(table)

    def _checked(self, table: Table) -> list[Finding | More]:
        found = list(cells.findings(self.ctx, table))
        load.drop_fields(self.ctx.con, table, unread(self.ctx.package, table, self.checks), small=False)
        return found

    def _load_small(self, tables: list[Table]) -> None:
        """Small tables in a batch: each read fast, all measured together, each load judged (a file the
        fast reader did not read as the tokenizer does is read again by the tokenizer), all cells asked
        together whether one is bad, and each table's rows published with the fields the checks read."""
        con = self.ctx.con
        with engine_errors_are_bugs("loading the small tables"):
            problems = {
                table.name: load.unreadable(table, self.paths[table.name], self.signs[table.name]) for table in tables
            }
            records = {
                table.name: load.read_fast(con, table, self.paths[table.name])
                for table in tables
                if problems[table.name] is None
            }
            fast = [table for table in tables if records.get(table.name) is not None]
            measures = dict(zip((table.name for table in fast), load.measure(con, fast), strict=True))
        in_rows: dict[str, bool] = {}  # loaded tables -> whether their stored rows hold their lines
        for table in tables:
            found = problems[table.name]
            if found is None:
                found = self._fast_findings(table, records[table.name], measures.get(table.name))
                in_rows[table.name] = found is None
                if found is None:
                    found = load.load_careful(con, table, self.paths[table.name])
            with engine_errors_are_bugs(f"loading {table.path}"):
                self.tally.add(TABLES_LOADED, found)
        loaded = [table for table in tables if table.name in in_rows]
        with engine_errors_are_bugs("check cells of the small tables"):
            bad = cells.tables_with_bad_cells(self.ctx, loaded)
        for table in loaded:
            self._publish_small(table, in_rows[table.name], table.name in bad)
        for table in tables:
            self._settled(table)

    def _fast_findings(self, table: Table, records: int | None, measure: Measure | None) -> Iterator[Finding] | None:
        """The findings on a table read fast, if its load stands (see load.fast_findings)."""
        if records is None or measure is None:
            return None
        with engine_errors_are_bugs(f"loading {table.path}"):
            path, signs = self.paths[table.name], self.signs[table.name].result()
            return load.fast_findings(self.ctx.con, table, path, signs, records, measure)

    def _publish_small(self, table: Table, lines_stored: bool, bad: bool) -> None:
        """A table whose cells are good is copied with the fields the checks read; one with a bad cell is
        copied whole for its cells' findings, and then loses the fields no check reads."""
        con, unused = self.ctx.con, unread(self.ctx.package, table, self.checks)
        self.ctx.loaded.add(table.name)
        if not bad:
            with engine_errors_are_bugs(f"loading {table.path}"):
                load.publish(con, table, lines_stored, [name for name in table.field_names if name not in unused])
            return
        with engine_errors_are_bugs(f"loading {table.path}"):
            load.publish(con, table, lines_stored, table.field_names)
        found = run_check(f"cells of {table.name}", partial(cells.findings, self.ctx, table))
        self.tally.add(CELLS_CHECKED, found)
        with engine_errors_are_bugs(f"loading {table.path}"):
            load.drop_fields(con, table, unused, small=True)

    def _settled(self, table: Table) -> None:
        """Start the provenance work whose tables are in: the archive once sources is, the quotes once
        every table holding them is."""
        ctx = self.ctx
        self.settled.add(table.name)
        if table.name == domain.SOURCES and table.name in ctx.loaded and ctx.archive is not None:
            ctx.archive_read = self.worker.submit(provenance.read_archive, ctx.apart())
        verbatim = domain.VERBATIM_TABLES & {table.name for table in self.order}
        if ctx.archive_read and not ctx.verbatim_read and verbatim <= self.settled:
            ctx.verbatim_read = self.worker.submit(provenance.check_verbatim, ctx.apart())
