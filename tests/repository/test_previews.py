"""Drawing the pages of PDFs (repository.previews): sizes are bounded, damage is an answer."""

import io

import pytest
from PIL import Image

from repository.previews import (
    MAX_HEIGHT_RATIO,
    PreviewUnavailable,
    pdf_layout,
    render_pdf_page,
)
from tests.api.factories import PDF_BYTES
from workflow.demo import sample_pdf


def pdf_of(size):
    out = io.BytesIO()
    Image.new("RGB", size, "white").save(out, format="PDF")
    return out.getvalue()


def test_a_page_is_drawn_at_the_width_asked():
    png = render_pdf_page(io.BytesIO(sample_pdf("Two pages", pages=2)), 2, 500)
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.width == 500
    assert pdf_layout(io.BytesIO(sample_pdf("Two pages", pages=2)))[0] == 2


def test_a_very_tall_page_is_drawn_smaller_not_huge():
    png = render_pdf_page(io.BytesIO(pdf_of((50, 5000))), 1, 1000)
    image = Image.open(io.BytesIO(png))
    assert image.height <= MAX_HEIGHT_RATIO * 1000 + 1
    assert image.width < 1000


@pytest.mark.parametrize("content", [PDF_BYTES, b"%PDF-1.4 not really"])
def test_an_empty_or_damaged_pdf_cannot_be_drawn(content):
    with pytest.raises(PreviewUnavailable):
        pdf_layout(io.BytesIO(content))
    with pytest.raises(PreviewUnavailable):
        render_pdf_page(io.BytesIO(content), 1, 500)


def test_a_page_that_does_not_exist_cannot_be_drawn():
    with pytest.raises(PreviewUnavailable):
        render_pdf_page(io.BytesIO(sample_pdf("One page")), 2, 500)
