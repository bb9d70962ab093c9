"""Benchmark: import a generated 100,000-row AF3 file on PostgreSQL through the real import service.

Prints validated rows per second and the peak memory of the importing process (ru_maxrss of a
child process that does nothing else), for a .csv and an .xlsx file, and for scale the time
PostgreSQL's COPY takes to load the same rows into a plain table. Uses a database of its own
(BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/alsmis_bench_af3), recreated on
every run.

    .venv/bin/python bench/import_af3.py [--rows 100000] [--readers hand,calamine]

With `--readers hand,calamine` the .xlsx file is imported once per reader: the hand-written
streaming reader of snapshots/readers.py, and python-calamine (Rust) behind the same zip bounds
(every member inflated once through the bounded reader before calamine opens the file). Both run
within readers.Limits; calamine's dense sheet cannot be bounded cell by cell (see
`calamine_rows`).
"""

import argparse
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


def prepare(url, rows, workdir, formats):
    """Fresh database, migrated, with CAR and two periods; the AF3 file as .csv and .xlsx."""
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
    for code, cycle in (("bench-csv", "calendar"), ("bench-xlsx", "school")):
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
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    xlsx_path = workdir / "af3.xlsx"
    if "xlsx" in formats:
        started = time.perf_counter()
        xlsx_path.write_bytes(samples.to_xlsx("AF3", data))
        print(f"setup: wrote the .xlsx in {time.perf_counter() - started:.1f} s")
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


def child(url, path, period):
    """Run in a separate process: one import through snapshots.services, timings as JSON."""
    setup_django(url)
    if os.environ.get("BENCH_XLSX_READER") == "calamine":
        from snapshots import readers

        readers._xlsx_rows = calamine_rows
    from snapshots import services
    from snapshots.models import ImportJob

    division, district = services.resolve_unit("benguet/LTR")
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
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {"rows": job.snapshot.row_count, "seconds": elapsed, "cpu": cpu, "peak_kb": peak_kb}
        )
    )


def run_child(url, path, period, reader="hand"):
    output = subprocess.run(
        [sys.executable, __file__, "--child", str(path), "--period", period, "--url", url],
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
    parser.add_argument("--readers", default="hand", help="xlsx readers: hand,calamine")
    parser.add_argument("--child")
    parser.add_argument("--period")
    args = parser.parse_args()
    if args.child:
        child(args.url, args.child, args.period)
        return
    with tempfile.TemporaryDirectory() as tmp:
        formats = args.formats.split(",")
        csv_path, xlsx_path = prepare(args.url, args.rows, Path(tmp), formats)
        runs = [("csv", csv_path, "bench-csv", "hand")]
        runs += [("xlsx", xlsx_path, "bench-xlsx", r) for r in args.readers.split(",")]
        for label, path, period, reader in runs:
            if label not in formats:
                continue
            result = run_child(args.url, path, period, reader)
            if label == "xlsx":
                label = f"xlsx ({reader} reader)"
            rate = result["rows"] / result["seconds"]
            print(
                f"import {label}: {result['rows']:,} rows in {result['seconds']:.2f} s = "
                f"{rate:,.0f} validated rows/s (importer CPU {result['cpu']:.2f} s); "
                f"peak memory {result['peak_kb'] / 1024:.0f} MB "
                f"(file {path.stat().st_size / 1e6:.1f} MB)"
            )
        count, seconds = copy_baseline(args.url, csv_path)
        print(
            f"COPY baseline: {count:,} rows into a plain table in {seconds:.2f} s = {count / seconds:,.0f} rows/s"
        )
        print(f"encryption alone: {encryption_cost(args.rows):.2f} s for {args.rows:,} payloads")


if __name__ == "__main__":
    main()
