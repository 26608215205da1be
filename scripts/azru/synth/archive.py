"""The synthetic source archive: one text per source, holding every quote and name spelling cited from it."""

import hashlib
from collections.abc import Iterable, Iterator
from pathlib import Path

import polars as pl

from .phrases import FILLER


class Archive:
    """The synthetic source texts: a title, the name spellings and quotes cited from it, a filler.

    The cited texts are gathered chunk by chunk (a column each, far smaller than the chunks) and each
    file is written once at the end, so that no file is reopened for every chunk.
    """

    def __init__(self, directory: Path, listing: pl.DataFrame) -> None:
        self.directory = directory
        self.listing = listing.select("source", "file_name", "title")
        self.cited: list[pl.DataFrame] = []

    def add(self, frame: pl.DataFrame, column: str) -> None:
        self.cited.append(frame.select("source", text=pl.col(column)))

    def finish(self) -> pl.DataFrame:
        """Write every text; return its sha256 and size in bytes, by source row."""
        cited = pl.concat(self.cited, rechunk=False)
        self.cited.clear()
        texts = cited.group_by("source", maintain_order=True).agg(pl.col("text").str.join("\n"))
        files = self.listing.join(texts, on="source", how="left").sort("source")
        digests, sizes = [], []
        for file_name, title, text in files.select("file_name", "title", "text").iter_rows():
            data = "\n\n".join(part for part in (title, text, FILLER) if part).encode() + b"\n"
            (self.directory / file_name).write_bytes(data)
            digests.append(hashlib.sha256(data).hexdigest())
            sizes.append(len(data))
        return files.select("source", sha256=pl.Series(digests), bytes=pl.Series(sizes, dtype=pl.Int64))


def archived(frames: Iterable[pl.DataFrame], archive: Archive, column: str) -> Iterator[pl.DataFrame]:
    """The frames unchanged, each one's `column` added to the archive on its way to the CSV."""
    for frame in frames:
        archive.add(frame, column)
        yield frame
