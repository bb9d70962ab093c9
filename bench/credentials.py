"""Benchmark: a recognition day of 450 learners, from one file to printed and checkable
certificates; one learner's certificate on demand; the public check under load.

Runs against a PostgreSQL database of its own (BENCH_CREDENTIALS_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/alsmis_bench_credentials, recreated on every run) with the
production settings (bench/public_pages.py's environment), and prints:

1. the day, timed step by step (target: under 20 s in all): read the 450-row awardees list and
   preview it (every row matched in the registry), confirm (prepare the batch), approve, issue
   (450 awards), sign the 450 Open Badges credentials and the revocation status list, and print
   the batch PDF (450 pages);
2. one learner's certificate PDF on demand (target: under 300 ms), median and p95 of 30;
3. `/verify/<code>/` at 32 connections with `wrk` over the 450 codes (target: p95 under 50 ms),
   the rate limit raised for the run: through Varnish with the repository's VCL in front of
   gunicorn (4 sync workers), as deployed and as bench/public_pages.py starts it, every page
   requested once first (the share of cache hits is printed); and gunicorn alone, every request
   rendered, from many addresses and from one;
4. with `--engines`: the PDF engines compared on 450 certificate-like pages (time and peak
   memory, each in a fresh process): reportlab, typst and WeasyPrint — how the engine of
   credentials/certificates.py was chosen. Engines that are not installed are skipped.

    .venv/bin/python bench/credentials.py [--learners 450] [--duration 10] [--engines]
"""

import argparse
import csv
import io
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from alsmis.varnish import Varnish  # noqa: E402
from bench import public_pages  # noqa: E402
from bench.public_pages import (  # noqa: E402
    HIT_COUNTERS,
    bench_env,
    fetch_all,
    free_port,
    load_average,
    recreate_database,
    run_wrk,
    start_gunicorn,
    wait_for,
)

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/alsmis_bench_credentials"
LAST = ["Dela Cruz", "Peñaflor", "Añonuevo", "Bagtang", "Cariño", "Dulnuan", "Pacaña", "Bahatan"]
FIRST = ["José", "Niño", "María", "Ramón", "Ána", "Lúcia", "Benjamín", "Rosário"]


# ----------------------------------------------------------------------------- the day


def _registry(count):
    """`count` Benguet learners enrolled at the division's CLCs, and their awardees list."""
    from credentials.roster import HEADERS
    from learners.models import Enrolment, Learner, SchoolYearCycle
    from organisation.models import CommunityLearningCenter, Division

    division = Division.objects.get(slug="benguet")
    clcs = list(CommunityLearningCenter.objects.filter(district__division=division))
    cycle, _ = SchoolYearCycle.objects.get_or_create(
        label="SY 2025-2026",
        defaults={
            "cycle_type": "school_year",
            "start_date": date(2025, 6, 16),
            "end_date": date(2026, 4, 15),
            "enrolment_cutoff": date(2025, 10, 31),
        },
    )
    rows = []
    for number in range(count):
        last, first = LAST[number % len(LAST)], f"{FIRST[number % len(FIRST)]} {number}"
        learner = Learner.objects.create(
            lrn=f"1365122{number:05d}",
            last_name=last,
            first_name=first,
            birthdate=date(2000 + number % 8, 1 + number % 12, 1 + number % 28),
            sex="F" if number % 2 else "M",
            division=division,
        )
        Enrolment.objects.create(
            learner=learner,
            cycle=cycle,
            clc=clcs[number % len(clcs)],
            program="AE_JHS",
            delivery_mode="F2F",
            date_first_attendance=cycle.start_date,
        )
        rows.append(
            [
                learner.lrn,
                last,
                first,
                "",
                "",
                "Female" if number % 2 else "Male",
                learner.birthdate.isoformat(),
                "Led the CLC's clean-up drive and coached younger learners.",
            ]
        )
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(HEADERS)
    writer.writerows(rows)
    return division, text.getvalue().encode()


def _achievement():
    from credentials.models import Achievement

    achievement, _ = Achievement.objects.get_or_create(
        slug="bench-communication",
        defaults={
            "name": "Communication",
            "description": "Communicates clearly with others.",
            "competency_elements": "Listens actively\nSpeaks clearly",
            "learning_strand": "LS1 Communication Skills",
            "pqf_level": 1,
            "criteria_narrative": "Rated 3 or more by every rater.",
            "assessment_method": "360° assessment",
            "raters": ["self", "teacher", "community"],
            "certificate_wording": "has demonstrated communication skills.",
        },
    )
    return achievement


def the_day(count):
    """Time each step from the file to the printed batch; returns (timings, batch, awards)."""
    from credentials import certificates, openbadges, roster, services

    division, data = _registry(count)
    achievement = _achievement()
    timings = {}

    started = time.perf_counter()
    rows = roster.preview(roster.read_roster(io.BytesIO(data), "awardees.csv"), division, None)
    timings["read and preview the file"] = time.perf_counter() - started
    kinds = roster.counts(rows)
    assert kinds.get(roster.MATCHED) == count, kinds

    started = time.perf_counter()
    batch = roster.confirm(
        None,
        division=division,
        achievements=[achievement],
        ceremony_date=date(2025, 12, 5),
        venue="La Trinidad Municipal Gymnasium",
        signatories=[
            {"name": "Dr. Estela Cariño", "position": "Schools Division Superintendent"},
            {"name": "Jose Pacaña", "position": "Education Program Specialist II, ALS"},
        ],
        rows=rows,
        decisions={},
        source_name="awardees.csv",
    )
    timings["confirm (prepare the batch)"] = time.perf_counter() - started

    started = time.perf_counter()
    services.approve_batch(None, batch)
    awards = services.issue_batch(None, batch)
    timings["approve and issue"] = time.perf_counter() - started
    assert len(awards) == count

    started = time.perf_counter()
    for award in batch.awards.select_related("achievement", "batch__division__region"):
        openbadges.credential_for(award)
    openbadges.status_list_credential()
    timings[f"sign {count} credentials and the status list"] = time.perf_counter() - started

    started = time.perf_counter()
    pdf = certificates.batch_pdf(batch)
    timings[f"batch PDF ({count} pages, {len(pdf) / 1e6:.1f} MB)"] = time.perf_counter() - started
    return timings, batch


def one_certificate(batch, runs=30):
    """Milliseconds to print one learner's certificate (fresh from the database each time)."""
    from credentials import certificates
    from credentials.models import Award

    pks = list(batch.awards.values_list("pk", flat=True)[:runs])
    durations = []
    for pk in pks:
        started = time.perf_counter()
        award = Award.objects.select_related("achievement", "batch__division__region").get(pk=pk)
        certificates.award_pdf(award)
        durations.append((time.perf_counter() - started) * 1000)
    durations.sort()
    return statistics.median(durations), durations[int(len(durations) * 0.95) - 1]


# ----------------------------------------------------------------------------- engines

ENGINE_PAGES = 450
ENGINE_SCRIPT = r"""
import io, resource, sys, tempfile, time, pathlib
import segno
N = int(sys.argv[2])
NAMES = [f"Niño José Peñaflor Dela Cruz {i}" for i in range(N)]
URL = "https://als.example.ph/verify/ABCDEFGHJKMNP{:04d}/"
HEADING = ["Republic of the Philippines", "Department of Education",
           "Cordillera Administrative Region", "Schools Division of Benguet"]

def reportlab_pages():
    from credentials_bench_fonts import vera
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.pdfgen import canvas
    buf = io.BytesIO(); c = canvas.Canvas(buf, pagesize=landscape(A4)); w, h = landscape(A4)
    regular, bold = vera()
    for i, name in enumerate(NAMES):
        c.setFont(regular, 12)
        for k, line in enumerate(HEADING):
            c.drawCentredString(w / 2, h - 60 - k * 16, line)
        c.setFont(bold, 30); c.drawCentredString(w / 2, h / 2, name)
        c.setFont(regular, 12); c.drawCentredString(w / 2, h / 2 - 30, "has demonstrated communication skills.")
        m = segno.make(URL.format(i), error="m").matrix; s = 2.2; p = c.beginPath()
        for y, row in enumerate(m):
            x = 0
            while x < len(row):
                if row[x]:
                    x0 = x
                    while x < len(row) and row[x]:
                        x += 1
                    p.rect(40 + x0 * s, 40 + (len(m) - y) * s, (x - x0) * s, s)
                else:
                    x += 1
        c.drawPath(p, stroke=0, fill=1); c.showPage()
    c.save(); return buf.getvalue()

def typst_pages():
    import typst
    d = pathlib.Path(tempfile.mkdtemp()); pages = []; inputs = {}
    for i, name in enumerate(NAMES):
        segno.make(URL.format(i), error="m").save(str(d / f"q{i}.svg"), border=0)
        inputs[f"n{i}"] = name  # passed as data: a name is never read as Typst markup
        pages.append(
            "#align(center)[" + " \\ ".join(HEADING) + "]\n#v(3cm)\n"
            f'#align(center, text(30pt, weight: "bold", sys.inputs.at("n{i}")))\n'
            "#align(center)[has demonstrated communication skills.]\n"
            f'#place(bottom + left, image("q{i}.svg", width: 3cm))\n')
    src = '#set page(paper: "a4", flipped: true)\n' + "#pagebreak()\n".join(pages)
    (d / "main.typ").write_text(src)
    return typst.compile(str(d / "main.typ"), sys_inputs=inputs)

def weasyprint_pages():
    from html import escape
    from weasyprint import HTML
    parts = []
    for i, name in enumerate(NAMES):
        svg = segno.make(URL.format(i), error="m").svg_data_uri(border=0)
        parts.append("<section><p>" + "<br>".join(HEADING) + f"</p><h1>{escape(name)}</h1>"
                     f'<p>has demonstrated communication skills.</p><img src="{svg}" style="width:3cm"></section>')
    html = "<style>@page{size:A4 landscape} section{page-break-after:always;text-align:center}</style>" + "".join(parts)
    return HTML(string=html).write_pdf()

engine = {"reportlab": reportlab_pages, "typst": typst_pages, "weasyprint": weasyprint_pages}[sys.argv[1]]
started = time.perf_counter(); pdf = engine(); elapsed = time.perf_counter() - started
print(f"{elapsed:.2f} {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} {len(pdf) / 1e6:.2f}")
"""
FONTS_MODULE = r"""
from pathlib import Path
import reportlab
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
def vera():
    fonts = Path(reportlab.__file__).parent / "fonts"
    pdfmetrics.registerFont(TTFont("V", str(fonts / "Vera.ttf")))
    pdfmetrics.registerFont(TTFont("VB", str(fonts / "VeraBd.ttf")))
    return "V", "VB"
"""


def engines(pages=ENGINE_PAGES):
    """{engine: (seconds, peak MB, PDF MB) or the reason it did not run}, each in its own process
    so that peak memory is the engine's own. One page as well, for the on-demand case."""
    results = {}
    with tempfile.TemporaryDirectory() as workdir:
        script = Path(workdir) / "engine.py"
        script.write_text(ENGINE_SCRIPT)
        (Path(workdir) / "credentials_bench_fonts.py").write_text(FONTS_MODULE)
        for engine in ("reportlab", "typst", "weasyprint"):
            figures = []
            for count in (pages, 1):
                done = subprocess.run(
                    [sys.executable, str(script), engine, str(count)],
                    capture_output=True,
                    text=True,
                    cwd=workdir,
                )
                if done.returncode != 0:
                    figures = done.stderr.strip().splitlines()[-1:] or ["failed"]
                    break
                figures.append(tuple(float(value) for value in done.stdout.split()))
            results[engine] = figures
    return results


# ----------------------------------------------------------------------------- serving


LUA_ONE_ADDRESS = public_pages.LUA
LUA_MANY_ADDRESSES = public_pages.LUA.replace(
    'return wrk.format("GET", paths[(counter %% #paths) + 1])',
    'return wrk.format("GET", paths[(counter %% #paths) + 1], {["X-Forwarded-For"] = '
    'string.format("10.%%d.%%d.%%d", id, math.floor(counter / 250) %% 250, counter %% 250)})',
)
assert LUA_MANY_ADDRESSES != LUA_ONE_ADDRESS


def verify_under_load(url, media_root, batch, duration, workers):
    """wrk at 32 connections over the batch's `/verify/<code>/` pages: through Varnish in front
    of gunicorn (each page requested once first), then gunicorn alone from many addresses and
    from one. Returns {row name: figures}."""
    codes = list(batch.awards.values_list("code", flat=True))
    port = free_port()
    workdir = Path(tempfile.mkdtemp(prefix="alsmis-bench-verify-"))
    workdir.chmod(0o755)
    varnish = Varnish(("127.0.0.1", port), workdir=workdir / "varnish", memory="256m")
    env = bench_env(url, media_root, public_url=varnish.url, purge_url=varnish.purge_url)
    # One wrk client is one address: the public rate limit would answer 429 to nearly all.
    env["CREDENTIALS_VERIFY_RATE"] = "100000000/m"
    server = start_gunicorn(port, env, workers)
    try:
        varnish.start()
        base = f"http://127.0.0.1:{port}"
        wait_for(f"{base}/verify/{codes[0]}/", timeout=60)
        paths = [f"/verify/{code}/" for code in codes]
        figures = {}
        # Phones on many connections: each request from its own address (X-Forwarded-For
        # behind the one trusted proxy), as the rate limit counts them. From one address,
        # every request updates the same counter row of the shared cache and they queue on it.
        public_pages.LUA = LUA_MANY_ADDRESSES
        fetch_all(varnish.url, paths)
        before = varnish.counters(*HIT_COUNTERS)
        figures["through Varnish"] = run_wrk(varnish.url, paths, duration, workdir, "cached")
        after = varnish.counters(*HIT_COUNTERS)
        hits = after["MAIN.cache_hit"] - before["MAIN.cache_hit"]
        misses = after["MAIN.cache_miss"] - before["MAIN.cache_miss"]
        figures["through Varnish"]["hits"] = hits / max(1, hits + misses)
        figures["gunicorn alone, many addresses"] = run_wrk(
            base, paths, duration, workdir, "verify-many"
        )
        public_pages.LUA = LUA_ONE_ADDRESS
        figures["gunicorn alone, one address"] = run_wrk(
            base, paths, duration, workdir, "verify-one"
        )
        return figures
    finally:
        public_pages.LUA = LUA_ONE_ADDRESS
        os.killpg(server.pid, 15)
        server.wait(timeout=30)
        varnish.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", type=int, default=450)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--engines", action="store_true", help="compare the PDF engines too")
    parser.add_argument("--no-load", action="store_true", help="skip the wrk run")
    args = parser.parse_args()
    url = os.environ.get("BENCH_CREDENTIALS_DATABASE_URL", DEFAULT_URL)

    if args.engines:
        print(f"PDF engines, {ENGINE_PAGES} certificate pages ({load_average()}):")
        for engine, figures in engines().items():
            if len(figures) == 2 and isinstance(figures[0], tuple):
                (seconds, peak, size), (one, one_peak, _size) = figures
                print(
                    f"  {engine:<11} {seconds:6.2f} s  peak {peak:4.0f} MB  PDF {size:.1f} MB"
                    f"  | one page {one * 1000:5.0f} ms, peak {one_peak:.0f} MB"
                )
            else:
                print(f"  {engine:<11} not measured: {figures[0]}")

    recreate_database(url)
    media_root = Path(tempfile.mkdtemp(prefix="alsmis-bench-credentials-"))
    os.environ.update(bench_env(url, media_root))
    import django

    django.setup()
    from django.core.management import call_command

    from alsmis.demo import seed_organisation

    call_command("migrate", verbosity=0, interactive=False)
    seed_organisation()

    timings, batch = the_day(args.learners)
    total = sum(timings.values())
    print(f"\n{args.learners} learners from one file ({load_average()}):")
    for step, seconds in timings.items():
        print(f"  {step:<48} {seconds:6.2f} s")
    print(f"  {'total (target under 20 s)':<48} {total:6.2f} s")

    median, p95 = one_certificate(batch)
    print(f"\none learner's certificate PDF: median {median:.0f} ms, p95 {p95:.0f} ms (target 300)")

    if not args.no_load:
        print(f"\n/verify/<code>/ under load. Start: {load_average()}")
        rows = verify_under_load(url, media_root, batch, args.duration, args.workers)
        print(
            f"/verify/<code>/ over {batch.awards.count()} codes, gunicorn {args.workers}"
            f" workers, 32 connections, {args.duration} s each. End: {load_average()}"
        )
        for label, figures in rows.items():
            hits = f", cache hits {figures['hits']:.1%}" if "hits" in figures else ""
            print(
                f"  {label:<31} {figures['rps']:6.0f} req/s, p50 {figures['p50']:.1f} ms, "
                f"p95 {figures['p95']:.1f} ms (target 50), p99 {figures['p99']:.1f} ms, "
                f"errors {figures['errors']}{hits}"
            )
    print(
        f"\npeak memory of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
    )


if __name__ == "__main__":
    main()
