"""Time and peak memory (tracemalloc) of reading a 100,000-registrant webinar export (Zoom-style headers, two
sources by utm_source) through utilities.csv_import, streamed from a file on disk and counted per source. Prints
figures, asserts nothing (tests/utilities/test_csv_import.py asserts that one row is held at a time). Run from the
checkout:

    python -m tests.utilities.bench_csv_import [ROWS]
"""

import sys
import tempfile
import time
import tracemalloc
from collections import Counter

from utilities.csv_import import CsvExport

HEADER = "First Name,Last Name,Email,Organization,Job Title,Registration Time,Approval Status,Attended,Source\n"


def write_export(path: str, rows: int) -> int:
    with open(path, "w", encoding="utf-8", newline="") as file:
        file.write(HEADER)
        for number in range(rows):
            source = "northwind" if number % 3 else "bluefin"
            attended = "Yes" if number % 2 else "No"
            file.write(
                f'Ada{number},Lovelace,ada{number}@example.com,"Engines, Ltd",Analyst,'
                f"11/20/2026 09:{number % 60:02d}:00 AM,approved,{attended},{source}\n"
            )
        return file.tell()


def count(path: str, rows: int) -> Counter:
    with open(path, "rb") as stream:
        export = CsvExport(stream, max_bytes=2**31, max_rows=rows, rows_are="registrants")
        return Counter((row["Source"], row["Attended"]) for _, row in export.rows())


def main(rows: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = f"{folder}/registrants.csv"
        size = write_export(path, rows)
        started = time.perf_counter()
        counts = count(path, rows)
        seconds = time.perf_counter() - started
        tracemalloc.start()
        count(path, rows)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    print(
        f"{rows:,} registrants, {size / 2**20:.1f} MB file: {seconds:.2f} s, {peak / 2**20:.2f} MB peak (tracemalloc)"
    )
    print(dict(sorted(counts.items())))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
