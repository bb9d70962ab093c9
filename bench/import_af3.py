"""Benchmark: import a generated 100,000-row AF3 file on PostgreSQL through the real import service.

For a .csv and an .xlsx file of the same rows, prints two figures, each measured in a child
process that does nothing else (wall and CPU seconds, rows per second of each, and the child's
peak resident memory, VmHWM, with how much of it came after Django was set up):

- read only: snapshots.readers.read_rows alone (CPU seconds);
- read + validate: snapshots.importer.validate_file, the import's reading and row validation
  without the database writes (the "validated rows/s" of the import);
- whole import: snapshots.services.start_import, inline, up to the committed snapshot.

and for scale the time PostgreSQL's COPY takes to load the same rows into a plain table. Uses a
database of its own (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/
alsmis_bench_af3), recreated on every run. The machine is often shared: CPU seconds (and rows
per CPU second) are printed beside wall seconds, with the load average.

    .venv/bin/python bench/import_af3.py [--rows 100000] [--readers hand,expat,calamine]
        [--xlsx-style openpyxl|excel] [--skip-import] [--repeat N]

`--readers` reads the .xlsx file once per reader: `hand` is snapshots/readers.py as the import
runs it (the regular-expression fast path, expat for sheets it does not recognise), `expat`
that module's expat reader alone, and `calamine` python-calamine (Rust) behind the same zip
bounds (every member inflated once through the bounded reader before calamine opens the file);
calamine's dense sheet cannot be bounded cell by cell (see `calamine_rows`). `--xlsx-style
excel` writes the .xlsx as Excel does (shared strings, numbers, date serials, blank cells left
out: samples.to_xlsx_shared_strings) instead of openpyxl's inline strings (samples.to_xlsx).
"""

import argparse
import functools
import gc
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/alsmis_bench_af3"


def setup_django(url):
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alsmis.settings.test")
    # Local disk for the uploaded copy: the benchmark measures the import, not an object store.
    for name in ("AWS_STORAGE_BUCKET_NAME", "AWS_S3_ENDPOINT_URL"):
        os.environ.pop(name, None)
    import django

    django.setup()


def recreate_database(url):
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def prepare(url, rows, workdir, formats, style="openpyxl", readers=("hand",)):
    """Fresh database, migrated, with CAR and a period per import (so that no import replaces
    another's snapshot, which would add a delete to its time); the AF3 file as .csv and .xlsx."""
    recreate_database(url)
    setup_django(url)
    import datetime

    from django.core.management import call_command

    from alsmis.demo import seed_organisation
    from snapshots import samples
    from snapshots.models import ReportingPeriod

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    seed_organisation()
    periods = [("bench-csv", "calendar")] + [(f"bench-xlsx-{r}", "school") for r in readers]
    for code, cycle in periods:
        ReportingPeriod.objects.create(
            code=code, cycle=cycle, start_year=2026, deadline=datetime.date(2027, 3, 31)
        )
    data = samples.af3_rows(
        rows,
        region="CAR",
        division="Benguet",
        district="La Trinidad",
        year=2026,
        clcs=[("Poblacion La Trinidad CLC", 3), ("Balili CLC", 2)],
    )
    csv_path = workdir / "af3.csv"
    csv_path.write_bytes(samples.to_csv("AF3", data))
    print(f"setup: migrated and generated {rows:,} rows in {time.perf_counter() - started:.1f} s")
    print(f"machine: {os.cpu_count()} CPUs, load average {load()}")
    xlsx_path = workdir / "af3.xlsx"
    if "xlsx" in formats:
        started = time.perf_counter()
        write = samples.to_xlsx_shared_strings if style == "excel" else samples.to_xlsx
        xlsx_path.write_bytes(write("AF3", data))
        print(f"setup: wrote the .xlsx ({style} style) in {time.perf_counter() - started:.1f} s")
    return csv_path, xlsx_path


def calamine_rows(fileobj, limits, info):
    """The first sheet's rows read by python-calamine, within the same zip bounds.

    calamine reads the whole sheet into a dense grid in memory and has no limits of its own, so
    every XML member is first inflated through readers' bounded member reader (declared size,
    real size, member count, time). A cell at column ZZZZ or row 1,000,000 would still make it
    allocate the whole grid: that is not bounded here, only measured."""
    from python_calamine import CalamineWorkbook

    from snapshots import readers

    fileobj.seek(0)
    with readers._open_archive(fileobj, limits) as archive:
        readers._first_sheet(archive, limits)
        for name in list(archive.NameToInfo):
            if name.endswith((".xml", ".rels")):
                with readers._open_member(archive, name, limits) as member:
                    while member.read(1 << 20):
                        limits.check_time()
    info["date1904"] = False  # calamine converts 1904 serials to dates itself
    fileobj.seek(0)
    sheet = CalamineWorkbook.from_filelike(fileobj).get_sheet_by_index(0)
    first = (sheet.start or (0, 0))[0] + 1
    width = limits.max_columns
    for number, row in enumerate(sheet.iter_rows(), start=first):
        if number - first > limits.max_rows + readers.HEADER_ALLOWANCE:
            raise limits.too_many_rows()
        if len(row) > width:
            row = readers._cut(row, width)
        yield number, row


def load():
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


def peak_rss_kb():
    """This process's peak resident memory (VmHWM). Not ru_maxrss: Linux carries that over
    exec from the parent, so a child would report the benchmark's own peak."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def use_reader(reader):
    """Make snapshots.readers read .xlsx files with `reader` (hand, expat or calamine)."""
    from snapshots import readers

    if reader == "calamine":
        readers._xlsx_rows = calamine_rows
    elif reader == "expat":
        readers._xlsx_rows = functools.partial(readers._xlsx_rows, fast=False)


def child_validate(url, path, period):
    """Run in a separate process: read and validate the file as the import does (with the
    garbage collector off, as there), without the database writes; timings as JSON."""
    setup_django(url)
    use_reader(os.environ.get("BENCH_XLSX_READER", "hand"))
    from snapshots import forms_spec, importer, readers, services
    from snapshots.readers import sniff

    division, district = services.resolve_unit("benguet/LTR")
    period = services.resolve_period(period)
    with open(path, "rb") as handle:
        content = io.BytesIO(handle.read())
    baseline_kb = peak_rss_kb()
    gc.disable()
    # First the reading alone (the rows are counted, not kept), then reading and validating.
    cpu_started = time.process_time()
    limits = readers.Limits.from_settings(len(forms_spec.AF3), timed=True)
    for _row in readers.read_rows(content, sniff(content), limits):
        pass
    read_cpu = time.process_time() - cpu_started
    started = time.perf_counter()
    cpu_started = time.process_time()
    result = importer.validate_file(
        content,
        sniff(content),
        "AF3",
        division=division,
        district=district,
        period=period,
        timed=True,
    )
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    assert result.ok, [e.as_dict() for e in result.errors[:5]]
    peak_kb = peak_rss_kb()
    print(
        json.dumps(
            {
                "rows": result.total,
                "seconds": elapsed,
                "cpu": cpu,
                "read_cpu": read_cpu,
                "peak_kb": peak_kb,
                "baseline_kb": baseline_kb,
            }
        )
    )


def child(url, path, period):
    """Run in a separate process: one import through snapshots.services, timings as JSON."""
    setup_django(url)
    use_reader(os.environ.get("BENCH_XLSX_READER", "hand"))
    from snapshots import services
    from snapshots.models import ImportJob

    division, district = services.resolve_unit("benguet/LTR")
    baseline_kb = peak_rss_kb()
    started = time.perf_counter()
    cpu_started = time.process_time()
    with open(path, "rb") as handle:
        job = services.start_import(
            None,
            form="AF3",
            period=services.resolve_period(period),
            division=division,
            district=district,
            upload=handle,
            original_name=Path(path).name,
            inline=True,
        )
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    job.refresh_from_db()
    assert job.status == ImportJob.Status.SUCCEEDED, (job.message, (job.errors or [])[:5])
    peak_kb = peak_rss_kb()
    print(
        json.dumps(
            {
                "rows": job.snapshot.row_count,
                "seconds": elapsed,
                "cpu": cpu,
                "peak_kb": peak_kb,
                "baseline_kb": baseline_kb,
            }
        )
    )


def run_child(url, path, period, reader="hand", mode="import"):
    output = subprocess.run(
        [
            sys.executable,
            __file__,
            "--child",
            str(path),
            "--period",
            period,
            "--url",
            url,
            "--mode",
            mode,
        ],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "BENCH_XLSX_READER": reader},
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def copy_baseline(url, csv_path):
    """Seconds PostgreSQL's COPY takes to load the same CSV into a plain 28-column text table."""
    import psycopg

    from snapshots import forms_spec

    columns = ", ".join(f"c{i} text" for i in range(len(forms_spec.AF3)))
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_af3_plain")
        conn.execute(f"CREATE TABLE bench_af3_plain ({columns})")
        started = time.perf_counter()
        with (
            conn.cursor() as cursor,
            open(csv_path, "rb") as handle,
            cursor.copy("COPY bench_af3_plain FROM STDIN WITH (FORMAT csv, HEADER true)") as copy,
        ):
            while chunk := handle.read(1 << 20):
                copy.write(chunk)
        elapsed = time.perf_counter() - started
        count = conn.execute("SELECT count(*) FROM bench_af3_plain").fetchone()[0]
    return count, elapsed


def encryption_cost(rows):
    """Seconds to Fernet-encrypt `rows` typical AF3 payloads (part of the import time)."""
    from snapshots.importer import _encrypted

    payload = json.dumps(
        ["CAR", "Benguet", "La Trinidad", 2026, 3, "Balili CLC", "100000000001", "Kasaba", "Riri"]
        + ["Waba", None, "F", "2004-10-28", 22, "2026-05-24", 4, None, 49, None, 16, 15, 8, 11, 50]
        + ["BLP", "IL", True, None]
    )
    started = time.perf_counter()
    _encrypted([payload] * rows)
    return time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--formats", default="csv,xlsx", help="which files to import")
    parser.add_argument(
        "--readers", default="hand", help="xlsx readers, of hand, expat and calamine"
    )
    parser.add_argument("--xlsx-style", default="openpyxl", choices=["openpyxl", "excel"])
    parser.add_argument(
        "--skip-import", action="store_true", help="only the read + validate figures"
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="read + validate each file this many times and print the run of least CPU time",
    )
    parser.add_argument("--child")
    parser.add_argument("--period")
    parser.add_argument("--mode", default="import")
    args = parser.parse_args()
    if args.child:
        (child_validate if args.mode == "validate" else child)(args.url, args.child, args.period)
        return
    with tempfile.TemporaryDirectory() as tmp:
        formats = args.formats.split(",")
        readers = args.readers.split(",")
        csv_path, xlsx_path = prepare(
            args.url, args.rows, Path(tmp), formats, args.xlsx_style, readers
        )
        runs = [("csv", csv_path, "bench-csv", "hand")]
        runs += [("xlsx", xlsx_path, f"bench-xlsx-{r}", r) for r in readers]
        modes = ["validate"] if args.skip_import else ["validate", "import"]
        for mode in modes:
            for label, path, period, reader in runs:
                if label not in formats:
                    continue
                repeats = args.repeat if mode == "validate" else 1
                results = [run_child(args.url, path, period, reader, mode) for _ in range(repeats)]
                result = min(results, key=lambda found: found["cpu"])
                if label == "xlsx":
                    label = f"xlsx ({reader} reader)"
                best = f" (best of {repeats})" if repeats > 1 else ""
                what = ("read + validate" if mode == "validate" else "whole import") + best
                rows, seconds, cpu = result["rows"], result["seconds"], result["cpu"]
                if "read_cpu" in result:
                    read_cpu = min(found["read_cpu"] for found in results)
                    print(
                        f"read only{best} {label}: CPU {read_cpu:.2f} s = "
                        f"{rows / read_cpu:,.0f} rows per CPU second"
                    )
                print(
                    f"{what} {label}: {rows:,} rows in {seconds:.2f} s = {rows / seconds:,.0f} "
                    f"rows/s; CPU {cpu:.2f} s = {rows / cpu:,.0f} rows per CPU second; "
                    f"peak memory {result['peak_kb'] / 1024:.0f} MB, "
                    f"{(result['peak_kb'] - result['baseline_kb']) / 1024:.0f} MB above the "
                    f"baseline (file {path.stat().st_size / 1e6:.1f} MB); load {load()}"
                )
        count, seconds = copy_baseline(args.url, csv_path)
        print(
            f"COPY baseline: {count:,} rows into a plain table in {seconds:.2f} s = {count / seconds:,.0f} rows/s"
        )
        print(f"encryption alone: {encryption_cost(args.rows):.2f} s for {args.rows:,} payloads")


if __name__ == "__main__":
    main()
