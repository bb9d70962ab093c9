"""Benchmark: peak memory and time to refuse each hostile or malformed spreadsheet.

Builds the files of tests/snapshots/test_hostile_files.py (a cell at column ZZZZ, a 400 MB shared
string, 300 MB of rows in under a megabyte, a header that understates a member's size, the
malformed cells, a 1904-dated workbook) and one row of 12 MB (which the .xlsx fast path must not
hold whole: it hands such a sheet to expat), and reads each one with the upload's bounds
(snapshots.readers, the SNAPSHOT_* settings, AF3's width) in a fresh child process. Prints, per
file, its size, the outcome (the message shown to the uploader), the seconds taken and the peak
resident memory above the child's baseline (VmHWM after Django is set up, before reading; timed
with tracemalloc on, which slows it), the peak of Python's own allocations (tracemalloc) and which
.xlsx reader read it (fast: the regular-expression fast path; expat: the fallback).

    .venv/bin/python bench/hostile_files.py
"""

import io
import json
import os
import resource
import struct
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alsmis.settings.test")
    import django

    django.setup()


def build(directory):
    """Write every hostile file to `directory`; returns [(label, path)]."""
    from snapshots import samples
    from tests.snapshots import test_hostile_files as t

    rows = samples.af3_rows(
        3, region="CAR", division="Benguet", district="La Trinidad", year=2026, clcs=[("A", 3)]
    )
    files = {
        "zzzz-column": t.zzzz_columns(rows),
        "400mb-shared-string": t.huge_shared_string(),
        "300mb-rows-bomb": t.rows_bomb(),
    }
    lying = bytearray(t.workbook(t.sheet(*[t.row_xml(n, ["CAR"] * 20) for n in range(2, 400)])))
    name = b"xl/worksheets/sheet1.xml"
    struct.pack_into("<I", lying, lying.rindex(b"PK\x01\x02", 0, lying.rindex(name)) + 24, 1000)
    struct.pack_into("<I", lying, lying.rindex(b"PK\x03\x04", 0, lying.index(name)) + 22, 1000)
    files["lying-size-header"] = bytes(lying)
    for label, (column, raw, _status, _message) in t.BAD_CELLS.items():
        sheet = t.sheet(t.row_xml(2, rows[0]), t.row_xml(3, rows[1], {column: raw}))
        files["cell-" + label.replace(" ", "-")] = t.workbook(sheet)
    files["cell-row-r-x"] = t.workbook(t.sheet(t.row_xml(2, rows[0], attrs='r="x"')))
    files["1904-dates"] = t.workbook(t.sheet(t.row_xml(2, rows[0])), date1904=True)
    cell = b'<c t="inlineStr"><is><t>CAR</t></is></c>'
    files["one-12mb-row"] = t.workbook(
        [
            t.SHEET_HEAD,
            t.header_xml(),
            b'<row r="2">',
            *[cell * 25000] * 12,
            b"</row>",
            t.SHEET_TAIL,
        ]
    )
    paths = []
    for label, content in files.items():
        path = Path(directory) / f"{label}.xlsx"
        path.write_bytes(content)
        paths.append((label, path))
    return paths


def peak_rss_kb():
    """This process's peak resident memory (VmHWM). Not ru_maxrss: Linux carries that over
    exec from the parent, so the child would report the parent's peak (building the files)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def child(path):
    setup_django()
    from snapshots import forms_spec
    from snapshots.readers import Limits, UnreadableFile, read_rows

    content = io.BytesIO(Path(path).read_bytes())
    baseline = peak_rss_kb()
    tracemalloc.start()
    started = time.perf_counter()
    rows, outcome, extras = 0, "read", 0
    info = {}
    try:
        for _number, row in read_rows(
            content, "xlsx", Limits.from_settings(len(forms_spec.AF3), timed=True), info
        ):
            rows += 1
            extras += getattr(row, "extra", None) is not None
    except UnreadableFile as error:
        outcome = f"refused: {error}"
    else:
        outcome = f"read {rows} rows" + (f", {extras} with an extra column" if extras else "")
    elapsed = time.perf_counter() - started
    traced = tracemalloc.get_traced_memory()[1]
    peak = peak_rss_kb()
    print(
        json.dumps(
            {
                "outcome": outcome,
                "seconds": elapsed,
                "delta_kb": peak - baseline,
                "traced_kb": traced / 1024,
                "reader": info.get("reader", "-"),
            }
        )
    )


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        child(sys.argv[2])
        return
    setup_django()
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    worst = 0
    with tempfile.TemporaryDirectory() as tmp:
        runs = [(label, path, {}) for label, path in build(tmp)]
        # The same bombs once more with the member limit raised to 1 GB, to show the bounds
        # inside: the cell length and the row count, counted while inflating.
        raised = {"SNAPSHOT_MAX_UNPACKED_BYTES": str(1 << 30), "SNAPSHOT_MAX_ROWS": "200000"}
        runs += [
            (f"{label} (1 GB member limit)", path, raised)
            for label, path, _env in runs
            if label in ("400mb-shared-string", "300mb-rows-bomb")
        ]
        for label, path, env in runs:
            output = subprocess.run(
                [sys.executable, __file__, "--child", str(path)],
                check=True,
                capture_output=True,
                text=True,
                env={**os.environ, **env},
            ).stdout
            result = json.loads(output.strip().splitlines()[-1])
            worst = max(worst, result["delta_kb"])
            print(
                f"{label:40} {path.stat().st_size / 1024:6.1f} KB  {result['seconds']:6.2f} s  "
                f"RSS peak +{result['delta_kb'] / 1024:5.1f} MB, Python peak "
                f"{result['traced_kb'] / 1024:5.1f} MB  {result['reader']:5}  {result['outcome']}"
            )
    print(f"largest RSS peak above the baseline: {worst / 1024:.1f} MB (the bound: 100 MB)")


if __name__ == "__main__":
    main()
