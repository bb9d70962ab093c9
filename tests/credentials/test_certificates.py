"""Printed certificates: one page per award in CLC-then-name order, accented names, QR codes that
decode (zxing-cpp, a real decoder) to the verification URLs, and the staff-edited layout."""

import io

import pypdfium2 as pdfium
import pytest
import zxingcpp

from tests.credentials.certificates_world import issued_batch

pytestmark = pytest.mark.django_db


def _pages(pdf_bytes):
    document = pdfium.PdfDocument(io.BytesIO(pdf_bytes))
    texts, qr_texts = [], []
    for page in document:
        texts.append(page.get_textpage().get_text_range())
        image = page.render(scale=2.5).to_pil()
        qr_texts.append([result.text for result in zxingcpp.read_barcodes(image)])
    return texts, qr_texts


def test_the_batch_prints_one_page_per_award_by_clc_then_name_with_decodable_qr_codes(
    achievement, benguet
):
    from credentials import codes
    from credentials.certificates import batch_pdf

    batch, clcs = issued_batch(achievement, benguet)
    texts, qr_texts = _pages(batch_pdf(batch))

    assert len(texts) == 4
    # CLC order first (clcs[0] before clcs[1]), then the name as printed within each CLC.
    printed = ["José Añonuevo", "Ramón Cosalan", "Ána Bagtang", "Niño Peñaflor"]
    for text, name in zip(texts, printed, strict=True):
        assert name in text
    by_name = {award.name_as_printed: award for award in batch.awards.all()}
    for text, qr, name in zip(texts, qr_texts, printed, strict=True):
        award = by_name[name]
        assert qr == [f"http://testserver/verify/{award.code}/"]
        assert codes.display(award.code) in text
        # Issuer, achievement, signatories and date, all on the page.
        for words in (
            "Republic of the Philippines",
            "Department of Education",
            benguet.region.name,
            benguet.name,
            "Communication",
            "Dr. Estela Cariño",
            "Schools Division Superintendent",
            "Jose Pacaña",
            "5 December 2025",
        ):
            assert words in text, words
        # Nothing about the person beyond the printed name.
        assert award.learner.lrn not in text
        assert clcs[0].name not in text and clcs[1].name not in text


def test_one_award_prints_alone_and_revoked_awards_are_not_reprinted(achievement, benguet):
    from credentials.certificates import award_pdf, batch_pdf
    from credentials.services import revoke_award

    batch, _clcs = issued_batch(achievement, benguet)
    award = batch.awards.get(name_as_printed="Niño Peñaflor")
    texts, qr_texts = _pages(award_pdf(award))
    assert len(texts) == 1 and "Niño Peñaflor" in texts[0]
    assert qr_texts == [[f"http://testserver/verify/{award.code}/"]]

    revoke_award(None, award, "Printed for the wrong learner.")
    texts, _qr = _pages(batch_pdf(batch))
    assert len(texts) == 3
    assert not any("Niño Peñaflor" in text for text in texts)


def test_staff_words_and_default_signatories_print_and_the_batchs_own_win(achievement, benguet):
    from credentials.certificates import award_pdf
    from credentials.models import AwardBatch, CertificateLayout

    layout = CertificateLayout.load()
    layout.heading_lines = "Republika ng Pilipinas\nKagawaran ng Edukasyon\n$region"
    layout.title = "Katibayan ng Micro-credential"
    layout.body_template = "ay ginawaran ng $achievement sa $venue."
    layout.default_signatories = "Maria Dulnuan | Regional Director"
    layout.save()
    batch, _clcs = issued_batch(achievement, benguet)
    award = batch.awards.first()
    text = _pages(award_pdf(award))[0][0]
    assert "Republika ng Pilipinas" in text and "Katibayan ng Micro-credential" in text
    assert "ay ginawaran ng Communication sa La Trinidad Municipal Hall." in text
    assert "Dr. Estela Cariño" in text and "Maria Dulnuan" not in text

    AwardBatch.objects.filter(pk=batch.pk).update(signatories=[])
    award.batch.refresh_from_db()
    text = _pages(award_pdf(award))[0][0]
    assert "Maria Dulnuan" in text and "Regional Director" in text


def test_regional_als_personnel_edit_the_layout_in_the_admin(client, user_named):
    from credentials.models import CertificateLayout

    client.force_login(user_named("als.region"))
    start = "/admin/settings/credentials/certificatelayout/"
    form = client.get(start, follow=True)
    assert form.status_code == 200 and "Certificate of Micro-credential" in form.content.decode()
    url = form.redirect_chain[-1][0] if form.redirect_chain else start
    response = client.post(
        url,
        {
            "heading_lines": "Republic of the Philippines\nDepartment of Education",
            "title": "Certificate of Recognition",
            "presentation_line": "This certifies that",
            "body_template": "is awarded $achievement.",
            "default_signatories": "Maria Dulnuan | Regional Director",
        },
    )
    assert response.status_code == 302
    assert CertificateLayout.load().title == "Certificate of Recognition"

    client.force_login(user_named("teacher.benguet"))
    response = client.get(url)
    assert response.status_code in (302, 403)
    assert "Certificate of Recognition" not in response.content.decode()
