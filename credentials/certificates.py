"""Printed certificates: a recognition day's batch as one PDF (A4 landscape, one page per award,
ordered by the learner's CLC then name) and one award's certificate on its own.

Drawn with reportlab (chosen by measurement, bench/credentials.py and docs/credentials.md: 450
pages in about 5 s at the lowest memory of the three engines tried; text is drawn as data, never
parsed as markup, so no name can change the layout). The font is Bitstream Vera, shipped inside
reportlab: it covers Latin-1, so ñ and accented names print without any system font.

The words come from the `CertificateLayout` setting that staff edit in the admin; a batch's own
signatories replace the layout's default ones. The QR code (segno) holds the verification URL.
"""

import io
import unicodedata
from pathlib import Path
from string import Template

import reportlab
import segno
from django.conf import settings
from django.db.models import OuterRef, Subquery
from django.utils import formats
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from learners.models import Enrolment

from . import codes
from .models import AwardState, CertificateLayout

PAGE = landscape(A4)
FONT, FONT_BOLD, FONT_ITALIC = "ALSMISVera", "ALSMISVera-Bold", "ALSMISVera-Italic"
_FONT_DIR = Path(reportlab.__file__).parent / "fonts"
_fonts_registered = False


def _register_fonts():
    global _fonts_registered
    if _fonts_registered:
        return
    for name, file in ((FONT, "Vera.ttf"), (FONT_BOLD, "VeraBd.ttf"), (FONT_ITALIC, "VeraIt.ttf")):
        pdfmetrics.registerFont(TTFont(name, str(_FONT_DIR / file)))
    _fonts_registered = True


def verification_url(code):
    """The public address printed as a QR code: `<ALSMIS_PUBLIC_URL>/verify/<code>/`."""
    return f"{settings.ALSMIS_PUBLIC_URL.rstrip('/')}/verify/{codes.normalise(code)}/"


def parse_signatories(text):
    """`[{"name", "position"}]` from the layout's "Name | Position" lines."""
    signatories = []
    for line in (text or "").splitlines():
        name, _sep, position = line.partition("|")
        if name.strip():
            signatories.append({"name": name.strip(), "position": position.strip()})
    return signatories


def ordered_awards(batch):
    """The batch's valid awards in print order: the learner's CLC (latest enrolment), then the
    name. Revoked and replaced awards are not printed again (a replacement prints instead)."""
    latest_clc = (
        Enrolment.objects.filter(learner=OuterRef("learner"))
        .order_by("-cycle__start_date", "-pk")
        .values("clc__name")[:1]
    )
    awards = (
        batch.awards.filter(state=AwardState.VALID)
        .select_related("achievement", "batch__division__region")
        .annotate(clc_name=Subquery(latest_clc))
    )
    # Sorted here, not by the database: "Ána" sits with the A's whatever the collation.
    return sorted(
        awards,
        key=lambda award: (
            _sort_key(award.clc_name or ""),
            _sort_key(award.name_as_printed),
            award.achievement.name,
            award.pk,
        ),
    )


def _sort_key(text):
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def batch_pdf(batch):
    """The batch's certificates as one PDF (bytes), one page per award in CLC-then-name order."""
    return _render(ordered_awards(batch))


def award_pdf(award):
    """One award's certificate as a one-page PDF (bytes)."""
    return _render([award])


def _render(awards):
    _register_fonts()
    layout = CertificateLayout.load()
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=PAGE, pageCompression=1)
    pdf.setTitle("Certificates" if len(awards) != 1 else f"Certificate {awards[0].code}")
    pdf.setCreator("ALS MIS")
    for award in awards:
        _draw_page(pdf, award, layout)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _words(award, layout):
    batch = award.batch
    division = batch.division
    values = {
        "region": division.region.name,
        "division": division.name,
        "achievement": award.achievement.name,
        "wording": award.achievement.certificate_wording,
        "date": formats.date_format(award.issued_on, "j F Y"),
        "venue": batch.venue,
    }
    # safe_substitute: a mistyped placeholder prints as written instead of failing a whole batch.
    heading = [Template(line).safe_substitute(values) for line in layout.heading_lines.splitlines()]
    body = [Template(line).safe_substitute(values) for line in layout.body_template.splitlines()]
    signatories = batch.signatories or parse_signatories(layout.default_signatories)
    return heading, body, signatories


def _fit(pdf, text, font, size, width, minimum=9):
    """The largest size up to `size` at which `text` fits in `width`."""
    while size > minimum and pdf.stringWidth(text, font, size) > width:
        size -= 0.5
    return size


def _draw_page(pdf, award, layout):
    width, height = PAGE
    margin = 18 * mm
    usable = width - 2 * margin
    heading, body, signatories = _words(award, layout)
    pdf.setLineWidth(2)
    pdf.rect(10 * mm, 10 * mm, width - 20 * mm, height - 20 * mm)

    y = height - 30 * mm
    for index, line in enumerate(line for line in heading if line.strip()):
        pdf.setFont(FONT_BOLD if index == 1 else FONT, 12)
        pdf.drawCentredString(width / 2, y, line)
        y -= 6 * mm
    y -= 8 * mm
    size = _fit(pdf, layout.title, FONT_BOLD, 26, usable)
    pdf.setFont(FONT_BOLD, size)
    pdf.drawCentredString(width / 2, y, layout.title)
    y -= 14 * mm
    pdf.setFont(FONT_ITALIC, 12)
    pdf.drawCentredString(width / 2, y, layout.presentation_line)
    y -= 14 * mm
    size = _fit(pdf, award.name_as_printed, FONT_BOLD, 30, usable)
    pdf.setFont(FONT_BOLD, size)
    pdf.drawCentredString(width / 2, y, award.name_as_printed)
    y -= 10 * mm
    for line in body:
        if not line.strip():
            continue
        size = _fit(pdf, line, FONT, 12, usable)
        pdf.setFont(FONT, size)
        pdf.drawCentredString(width / 2, y, line)
        y -= 6.5 * mm

    _draw_signatories(pdf, signatories, width, margin)
    _draw_code(pdf, award, width, margin)


def _draw_signatories(pdf, signatories, width, margin):
    if not signatories:
        return
    # QR and code sit in the lower left and right corners; signatures share the middle.
    left, right = margin + 45 * mm, width - margin - 45 * mm
    slot = (right - left) / len(signatories)
    baseline = 38 * mm
    for index, signatory in enumerate(signatories):
        centre = left + slot * (index + 0.5)
        name = str(signatory.get("name", ""))
        position = str(signatory.get("position", ""))
        pdf.setLineWidth(0.7)
        pdf.line(centre - slot * 0.4, baseline + 5 * mm, centre + slot * 0.4, baseline + 5 * mm)
        pdf.setFont(FONT_BOLD, _fit(pdf, name, FONT_BOLD, 11, slot * 0.9, 7))
        pdf.drawCentredString(centre, baseline, name)
        pdf.setFont(FONT, _fit(pdf, position, FONT, 9, slot * 0.9, 6))
        pdf.drawCentredString(centre, baseline - 4.5 * mm, position)


def _draw_code(pdf, award, width, margin):
    url = verification_url(award.code)
    qr = segno.make(url, error="m")
    matrix = qr.matrix
    module = 32 * mm / (len(matrix) + 8)
    x0, y0 = margin, 16 * mm
    pdf.setFillColorRGB(1, 1, 1)
    pdf.rect(x0, y0, module * (len(matrix) + 8), module * (len(matrix) + 8), stroke=0, fill=1)
    pdf.setFillColorRGB(0, 0, 0)
    path = pdf.beginPath()
    top = y0 + module * (len(matrix) + 4)
    # One rectangle per run of dark modules: a fifth of the drawing operations of one per module.
    for row_index, row in enumerate(matrix):
        y = top - (row_index + 1) * module
        column = 0
        while column < len(row):
            if row[column]:
                start = column
                while column < len(row) and row[column]:
                    column += 1
                path.rect(x0 + (start + 4) * module, y, (column - start) * module, module)
            else:
                column += 1
    pdf.drawPath(path, stroke=0, fill=1)

    right = width - margin
    pdf.setFont(FONT, 9)
    pdf.drawRightString(right, 32 * mm, "Verification code")
    pdf.setFont(FONT_BOLD, 14)
    pdf.drawRightString(right, 25 * mm, codes.display(award.code))
    pdf.setFont(FONT, 8)
    pdf.drawRightString(right, 19 * mm, url)
