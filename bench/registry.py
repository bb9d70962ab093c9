"""Benchmark: the registry check of an AF3 import and the division's likely duplicates, on
PostgreSQL, at the size of a large division (20,000 learners).

Builds a division registry of `--learners` learners of Benguet, all enrolled in SY 2025-2026 at
La Trinidad's CLCs, and an AF3 of as many rows naming them, with planted disagreements: 1% of
the rows' LRNs unknown to the registry (their places in the registry taken by learners enrolled
but missing from the form), 1% with another first name in the registry, 1% with another
birthdate, 0.5% by a merged LRN (an alias), and `--duplicates` rows that repeat another row's
learner under a second LRN (one letter changed in the first name, the last name in lower case,
the same birthdate). Names are drawn from pools of 3,000 last and 1,500 first names with a
Zipf-like spread (the commonest last name is a few per cent of the division), as a division's are.

Prints, with wall and CPU seconds and the number of SQL queries of each:

- the AF3 import through snapshots.services.start_import (inline), for scale: it includes the check;
- the registry check of the import's prepared rows (snapshots.reconcile.check_prepared), the
  import's path, and of the stored rows (check_stored, which decrypts them: a consolidation's
  path), each with the counts of findings, checked against the planted ones;
- the duplicates report's work on a cache miss (learners.duplicates.find_pairs over the
  division's learners, as division_pairs runs it): pairs found and planted pairs among them.

Uses a database of its own (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/
alsmis_bench_registry), recreated on every run. The machine is often shared: CPU seconds are
printed beside wall seconds, with the load average.

    .venv/bin/python bench/registry.py [--learners 20000] [--duplicates 50] [--skip-import-figure]
"""

import argparse
import datetime
import io
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# The same database and settings set-up as the AF3 import benchmark.
from bench.import_af3 import recreate_database, setup_django  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/alsmis_bench_registry"
CLCS = [("Poblacion La Trinidad CLC", 3), ("Balili CLC", 2)]
# Column positions of an AF3 row (snapshots.forms_spec.AF3).
LRN, LAST, FIRST, MIDDLE, SEX, BORN = 6, 7, 8, 9, 11, 12
SYLLABLES = [
    "ba", "ka", "li", "ma", "no", "pa", "ri", "sa", "to", "wa", "yo", "gu", "dul", "ay", "an",
    "in", "te", "lo", "bu", "di", "kim", "pog", "lak", "sen", "tay", "bo", "ge", "hu", "mon",
    "nag",
]  # fmt: skip


def load():
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


def name_pools(rng):
    """(names, weights) of 3,000 last names and 1,500 first names, Zipf-like (s = 0.9)."""

    def pool(size, lengths):
        made = dict.fromkeys(
            "".join(rng.choice(SYLLABLES) for _ in range(rng.choice(lengths))).capitalize()
            for _ in range(size * 2)
        )
        names = list(made)[:size]
        return names, [1 / (rank + 1) ** 0.9 for rank in range(len(names))]

    return pool(3000, (2, 3, 4)), pool(1500, (2, 3))


def near_variant(first):
    """One letter changed: the last two letters swapped (or one added to a short name)."""
    return first[:-2] + first[-1] + first[-2] if len(first) > 3 else first + "a"


class Planted:
    """What the AF3 and the registry were made to disagree on, to check the findings against."""

    def __init__(self, learners, duplicates):
        self.unknown = learners // 100
        self.name = learners // 100
        self.birthdate = learners // 100
        self.alias = learners // 200
        self.duplicates = duplicates
        self.lrns = set()  # the planted duplicates' LRNs

    def counts(self):
        return {
            "unknown": self.unknown,
            "name": self.name,
            "birthdate": self.birthdate,
            "alias": self.alias,
            "missing": self.unknown,
        }


def build(url, learners, duplicates):
    """Fresh database, migrated, with CAR, the enrolment cycles and SY 2025-2026; the division's
    registry and the AF3 rows (see the module's docstring). Returns (rows, planted)."""
    recreate_database(url)
    setup_django(url)
    from django.core.management import call_command

    from alsmis.demo import seed_organisation
    from learners.demo import seed_cycles
    from learners.models import Enrolment, Learner, LearnerAlias
    from organisation.models import CommunityLearningCenter, Division
    from snapshots import forms_spec, samples
    from snapshots.models import ReportingPeriod

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    seed_organisation()
    cycle = seed_cycles()["SY 2025-2026"]
    ReportingPeriod.objects.create(
        code="2025-2026",
        cycle=ReportingPeriod.Cycle.SCHOOL_YEAR,
        start_year=2025,
        deadline=datetime.date(2026, 3, 31),
    )
    rows = samples.af3_rows(
        learners, region="CAR", division="Benguet", district="La Trinidad", year=2025, clcs=CLCS
    )
    rng = random.Random(16)
    lasts, firsts = name_pools(rng)
    for row in rows:
        row[LAST], row[FIRST] = rng.choices(*lasts)[0], rng.choices(*firsts)[0]
        row[MIDDLE] = ""
    planted = Planted(learners, duplicates)
    # The last rows repeat earlier rows' learners under another LRN (a double registration).
    sources = rng.sample(range(learners - duplicates), duplicates)
    for index, source_index in zip(range(learners - duplicates, learners), sources, strict=True):
        source = rows[source_index]
        row = rows[index]
        row[LAST], row[FIRST] = source[LAST].lower(), near_variant(source[FIRST])
        row[BORN] = source[BORN]
        row[13] = str(forms_spec.age_on(source[BORN], datetime.date(2025, 12, 31)))
        row[SEX] = source[SEX]

    benguet = Division.objects.get(slug="benguet")
    clcs = {
        clc.name: clc
        for clc in CommunityLearningCenter.objects.filter(
            district__division=benguet, name__in=[name for name, _t in CLCS]
        )
    }
    # Which rows disagree how: spread over the file, none of them a planted duplicate or its
    # original (whose registry record must stay as the form gives it for the pair to be found).
    alike = set(sources)
    candidates = [index for index in range(learners - duplicates) if index not in alike]
    chosen = rng.sample(candidates, planted.unknown + 2 * planted.name + planted.alias)
    unknown = set(chosen[: planted.unknown])
    renamed = set(chosen[planted.unknown : planted.unknown + planted.name])
    reborn = set(chosen[planted.unknown + planted.name : planted.unknown + 2 * planted.name])
    aliased = set(chosen[planted.unknown + 2 * planted.name :][: planted.alias])
    made, aliases = [], []
    for index, row in enumerate(rows):
        born = datetime.date.fromisoformat(row[BORN])
        lrn, first = row[LRN], row[FIRST]
        if index in unknown:
            # Not in the registry; in its place a learner enrolled here whom the form misses.
            lrn, first = str(138000000000 + index), rng.choices(*firsts)[0]
        elif index in renamed:
            while first == row[FIRST]:
                first = rng.choices(*firsts)[0]
        elif index in reborn:
            born += datetime.timedelta(days=1)
        elif index in aliased:
            lrn = str(137000000000 + index)
        learner = Learner(
            lrn=lrn,
            last_name=row[LAST],
            first_name=first,
            middle_name="",
            sex=row[SEX][0],
            birthdate=born,
            division=benguet,
        )
        learner.refresh_search_keys()
        made.append(learner)
        if index in aliased:
            aliases.append((row[LRN], learner))
    Learner.objects.bulk_create(made, batch_size=2000)
    LearnerAlias.objects.bulk_create(
        [LearnerAlias(lrn=lrn, learner=learner) for lrn, learner in aliases], batch_size=2000
    )
    Enrolment.objects.bulk_create(
        [
            Enrolment(
                learner=learner,
                cycle=cycle,
                clc=clcs[row[5]],
                program="BLP",
                delivery_mode="F2F",
                date_first_attendance=datetime.date(2025, 7, 1),
            )
            for learner, row in zip(made, rows, strict=True)
        ],
        batch_size=2000,
    )
    print(
        f"setup: migrated, {learners:,} learners enrolled and {learners:,} AF3 rows in "
        f"{time.perf_counter() - started:.1f} s"
    )
    print(f"machine: {os.cpu_count()} CPUs, load average {load()}")
    planted.lrns = {row[LRN] for row in rows[learners - duplicates :]}
    return rows, planted


class Measured:
    """Wall and CPU seconds and SQL queries of a block."""

    def __enter__(self):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        self.queries = CaptureQueriesContext(connection)
        self.queries.__enter__()
        self.started, self.cpu_started = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.started
        self.cpu = time.process_time() - self.cpu_started
        self.queries.__exit__(*exc)
        self.count = len(self.queries)

    def __str__(self):
        return f"{self.seconds:.2f} s (CPU {self.cpu:.2f} s), {self.count} queries"


def check_figures(rows, planted, skip_import):
    """The import (for scale) and the registry check of its rows, prepared and stored."""
    from snapshots import importer, reconcile, samples, services

    content = samples.to_csv("AF3", rows)
    division, district = services.resolve_unit("benguet/LTR")
    period = services.resolve_period("2025-2026")
    if skip_import:
        # A two-row import only makes the snapshot the check writes to.
        content_small = samples.to_csv("AF3", rows[:2])
        upload = _upload(content_small)
    else:
        upload = _upload(content)
    with Measured() as whole:
        job = services.start_import(
            None,
            form="AF3",
            period=period,
            division=division,
            district=district,
            upload=upload,
            original_name="af3.csv",
            inline=True,
        )
    job.refresh_from_db()
    assert job.snapshot_id, (job.message, (job.errors or [])[:5])
    snapshot = job.snapshot
    if not skip_import:
        print(f"whole import of {len(rows):,} AF3 rows (check included): {whole}; load {load()}")

    result = importer.validate_file(
        io.BytesIO(content), "csv", "AF3", division=division, district=district, period=period
    )
    assert result.ok, [error.as_dict() for error in result.errors[:5]]
    with Measured() as prepared:
        found = reconcile.check_prepared(snapshot, result.rows)
    expected = planted.counts()
    status = "as planted" if found["counts"] == expected else f"planted {expected}"
    print(
        f"registry check of {found['checked']:,} prepared rows against {len(rows):,} learners: "
        f"{prepared}; findings {found['counts']} ({status}); load {load()}"
    )
    if not skip_import:
        with Measured() as stored:
            again = reconcile.check_stored(snapshot)
        print(
            f"registry check of the {again['checked']:,} stored rows (decrypted): {stored}; "
            f"same findings: {again['counts'] == found['counts']}; load {load()}"
        )


def _upload(content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("af3.csv", content, content_type="text/csv")


def duplicate_figures(planted):
    """The duplicates report's work on a cache miss, over the division's learners."""
    from learners import duplicates, services
    from learners.models import Learner

    with Measured() as measured:
        learners = Learner.objects.filter(division__slug="benguet").only(*services.SEARCH_COLUMNS)
        pairs = duplicates.find_pairs(learners)
    count = Learner.objects.filter(division__slug="benguet").count()
    # A planted duplicate was registered after its original: it is the pair's second.
    found = {pair.second.lrn for pair in pairs if pair.second.lrn in planted.lrns}
    print(
        f"likely duplicates among {count:,} learners: {measured}; {len(pairs):,} pairs, "
        f"{len(found)} of the {planted.duplicates} planted; load {load()}"
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--learners", type=int, default=20_000)
    parser.add_argument("--duplicates", type=int, default=50)
    parser.add_argument("--url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument(
        "--skip-import-figure",
        action="store_true",
        help="do not import the whole file (nor check its stored rows); the check of the "
        "prepared rows and the duplicates only",
    )
    args = parser.parse_args()
    rows, planted = build(args.url, args.learners, args.duplicates)
    check_figures(rows, planted, args.skip_import_figure)
    duplicate_figures(planted)


if __name__ == "__main__":
    main()
