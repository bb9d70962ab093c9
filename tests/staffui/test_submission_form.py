"""The submission form in the admin: sections, what submitting needs marked *, fields of other
kinds hidden, the language picker, attached files; and on the submission page the checklist of
what is missing, the recall button and the records section's "return as incomplete"."""

import re

from bs4 import BeautifulSoup
from django.core.files.uploadedfile import SimpleUploadedFile

from repository.models import Submission
from tests.api.factories import pdf_upload
from tests.journeys import submit_before_the_rule
from tests.staffui.conftest import form_data
from workflow.admin_forms import ORIGIN_FIELDS, SECTIONS, SubmissionAdminForm
from workflow.models import State


def soup(response):
    return BeautifulSoup(response.content.decode(), "html.parser")


def block(page, name):
    """The block of one field on the form (the checklist's link target)."""
    found = page.find(id=f"field-{name}")
    assert found is not None, name
    return found


def is_marked(page, name):
    return block(page, name).find(class_="w-required-mark") is not None


def docx_bytes():
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return buffer.getvalue()


def test_every_field_of_the_form_is_in_one_section(login, user_named):
    form = SubmissionAdminForm(for_user=user_named("admin"))
    placed = [name for _heading, names in SECTIONS for name in names] + ORIGIN_FIELDS
    assert len(placed) == len(set(placed))
    assert set(form.fields) == set(placed)


def test_new_form_in_sections_with_what_submitting_needs_marked(login):
    page = soup(login("teacher.benguet").get("/admin/submissions/new/"))
    headings = [h.get_text(strip=True) for h in page.select(".w-panel__heading")]
    assert headings == ["What", "Who and rights", "Classification", "Files"]

    for name in ("title", "summary", "keywords", "authors", "languages", "school_year"):
        assert is_marked(page, name), name
        assert "Needed to submit." in block(page, name).get_text(), name
    # Marked on the kind that needs it (each kind shows its own fields only).
    for name in ("program", "copyright_owner", "adviser", "learner_featured", "main_file"):
        assert is_marked(page, name), name
    for name in ("objectives", "accessibility", "developer", "supporting_file"):
        assert not is_marked(page, name), name
        assert "Needed to submit." not in block(page, name).get_text(), name
    # Not `required`: a draft is saved without them.
    assert page.find("input", attrs={"name": "summary", "required": True}) is None
    assert page.find(attrs={"name": "summary"}).get("aria-describedby")

    # Which kind each block belongs to; the script shows the chosen kind's.
    assert block(page, "program")["data-submission-kinds"] == "lr"
    assert block(page, "adviser")["data-submission-kinds"] == "research"
    assert block(page, "ip_declaration_file")["data-submission-kinds"] == "lr"
    assert block(page, "consent_file")["data-submission-kinds"] == "story"
    assert block(page, "consent_file")["data-needed-when"] == "learner_named_or_pictured"
    assert not block(page, "title").has_attr("data-submission-kinds")
    # The declaration and the consent ask the browser for PDFs and images.
    accept = page.find("input", attrs={"name": "ip_declaration_file"})["accept"]
    assert accept == "application/pdf,image/jpeg,image/png,image/webp"
    # The script and styles are files (the admin's CSP allows no inline script).
    assert page.find("script", src="/static/js/submission-form.js") is not None
    assert page.find("link", href="/static/css/admin-submission-form.css") is not None


def test_language_picker_is_one_compact_searchable_list(login):
    page = soup(login("teacher.benguet").get("/admin/submissions/new/"))
    picker = block(page, "languages").find(attrs={"data-term-picker": True})
    assert picker is not None
    search = picker.find("input", attrs={"type": "search"})
    label = picker.find("label", attrs={"for": search["id"]})
    assert label.get_text(strip=True) == "Find in the list"
    assert search["aria-controls"] == "id_languages"
    boxes = picker.find_all("input", attrs={"type": "checkbox", "name": "languages"})
    assert len(boxes) >= 20
    assert picker.find(attrs={"data-term-picker-chosen": True}).get_text() == "None chosen yet."


def test_a_draft_is_saved_incomplete(login):
    client = login("teacher.benguet")
    response = client.post("/admin/submissions/new/", {"kind": "lr", "title": "Just a title"})
    assert response.status_code == 302
    submission = Submission.objects.get()
    assert submission.journey.state == State.DRAFT and submission.summary == ""


def test_edit_form_hides_other_kinds_and_shows_the_attached_files(login, s3_storage):
    client = login("teacher.benguet")
    client.post(
        "/admin/submissions/new/",
        {**form_data(), "main_file": pdf_upload("terraces.pdf"), "supporting_file": pdf_upload()},
    )
    submission = Submission.objects.get()
    page = soup(client.get(f"/admin/submissions/edit/{submission.pk}/"))

    # A learning resource: the research and story fields are not shown at all.
    for name in ("adviser", "research_type", "year_completed", "learner_featured", "consent_file"):
        assert block(page, name).has_attr("hidden"), name
    for name in ("program", "copyright", "ip_declaration_file", "title"):
        assert not block(page, name).has_attr("hidden"), name
    # The kind is fixed once saved.
    assert page.find("select", attrs={"name": "kind"}).has_attr("disabled")
    # The languages chosen are named under the list.
    chosen = block(page, "languages").find(attrs={"data-term-picker-chosen": True})
    assert chosen.get_text() == "Chosen: English, Iloko (Ilokano)"

    attached = page.find(attrs={"data-testid": "current-files-main_file"})
    text = attached.get_text(" ", strip=True)
    main = submission.files.get(role="main")
    assert "terraces.pdf" in text and "Main file" in text and "version 1" in text
    assert f"{main.size}\xa0bytes" in text
    link = attached.find("a")["href"]
    assert link == f"/admin/submissions/file/{submission.pk}/{main.pk}/"
    assert client.get(link).status_code == 200
    assert "adds a new version; the old one is kept" in text
    supporting = page.find(attrs={"data-testid": "current-files-supporting_file"})
    # Supporting files are added beside each other, not versions of one another.
    assert "adds it beside these" in supporting.get_text(" ", strip=True)
    assert "new version" not in supporting.get_text(" ", strip=True)
    assert page.find(attrs={"data-testid": "current-files-ip_declaration_file"}) is None


def test_declaration_renamed_from_a_word_file_is_refused_on_its_field(login, s3_storage):
    client = login("teacher.benguet")
    client.post("/admin/submissions/new/", form_data())
    submission = Submission.objects.get()
    renamed = SimpleUploadedFile("declaration.pdf", docx_bytes(), "application/pdf")
    response = client.post(
        f"/admin/submissions/edit/{submission.pk}/",
        {**form_data(), "ip_declaration_file": renamed},
    )
    assert response.status_code == 200
    page = soup(response)
    error = block(page, "ip_declaration_file").get_text(" ", strip=True)
    assert "must be a PDF or an image" in error and "Word document (DOCX)" in error
    assert not submission.files.exists()

    # On a new submission too, the message stands on the field, and nothing is created.
    renamed.seek(0)
    response = client.post("/admin/submissions/new/", {**form_data(), "consent_file": renamed})
    assert response.status_code == 200
    error = block(soup(response), "consent_file").get_text(" ", strip=True)
    assert "The learner's written consent must be a PDF or an image" in error
    assert Submission.objects.count() == 1


def test_submit_page_lists_what_is_missing_with_links_to_the_fields(login):
    client = login("teacher.benguet")
    client.post("/admin/submissions/new/", form_data(summary="", languages=[]))
    submission = Submission.objects.get()
    page = soup(client.get(f"/admin/submissions/inspect/{submission.pk}/"))
    checklist = page.find(attrs={"data-testid": "submit-checklist"})
    assert "Before you can submit: 4 things are missing" in checklist.get_text()
    links = {a.get_text(strip=True): a["href"] for a in checklist.find_all("a")}
    edit = f"/admin/submissions/edit/{submission.pk}/"
    assert links == {
        "Summary / description is required.": f"{edit}#field-summary",
        "At least one language is required.": f"{edit}#field-languages",
        "The main file is missing.": f"{edit}#field-main_file",
        "The IP / copyright declaration is missing.": f"{edit}#field-ip_declaration_file",
    }
    # Every link lands on a field block of the edit form.
    form_page = soup(client.get(edit))
    for href in links.values():
        assert form_page.find(id=href.split("#")[1]) is not None

    # Trying anyway: refused, with the reason, and still a draft.
    response = client.post(
        f"/admin/submissions/action/{submission.pk}/submit/",
        {"submit-version": submission.journey.version},
        follow=True,
    )
    assert "Complete the submission before submitting it." in response.content.decode()
    submission.journey.refresh_from_db()
    assert submission.journey.state == State.DRAFT


def test_recall_button_until_the_records_section_receives(login, s3_storage):
    client = login("teacher.benguet")
    client.post(
        "/admin/submissions/new/",
        {**form_data(), "main_file": pdf_upload(), "ip_declaration_file": pdf_upload("ip.pdf")},
    )
    submission = Submission.objects.get()
    page = client.get(f"/admin/submissions/inspect/{submission.pk}/").content.decode()
    assert 'data-testid="submit-checklist"' not in page
    client.post(
        f"/admin/submissions/action/{submission.pk}/submit/", {"submit-version": 1}, follow=True
    )
    page = client.get(f"/admin/submissions/inspect/{submission.pk}/").content.decode()
    assert 'data-action-name="recall"' in page and "Recall to draft" in page
    version = re.search(r'name="recall-version" value="(\d+)"', page).group(1)
    response = client.post(
        f"/admin/submissions/action/{submission.pk}/recall/",
        {"recall-version": version},
        follow=True,
    )
    assert "Recall to draft — now Draft." in response.content.decode()
    submission.journey.refresh_from_db()
    assert submission.journey.state == State.DRAFT
    assert "Edit and upload files" in response.content.decode()

    client.post(f"/admin/submissions/action/{submission.pk}/submit/", {"submit-version": 3})
    records = login("records.benguet")
    assert (
        'data-action-name="recall"'
        not in records.get(f"/admin/submissions/inspect/{submission.pk}/").content.decode()
    )
    records.post(
        f"/admin/submissions/action/{submission.pk}/receive_at_division/",
        {"receive_at_division-version": 4},
    )
    submission.journey.refresh_from_db()
    assert submission.journey.state == State.RECEIVED_BY_DIVISION
    teacher = login("teacher.benguet")
    page = teacher.get(f"/admin/submissions/inspect/{submission.pk}/").content.decode()
    assert 'data-action-name="recall"' not in page


def test_records_section_returns_an_incomplete_item_first_with_reasons_ticked(login, user_named):
    client = login("teacher.benguet")
    client.post("/admin/submissions/new/", form_data(summary="", title="Legacy item"))
    submission = Submission.objects.get()
    submit_before_the_rule(user_named("teacher.benguet"), submission)

    records = login("records.benguet")
    page = soup(records.get(f"/admin/submissions/inspect/{submission.pk}/"))
    actions = [b["data-action-name"] for b in page.select("button[data-action-name]")]
    assert actions.index("return_incomplete") < actions.index("receive_at_division")
    form = page.find(id="action-return_incomplete")
    assert form.has_attr("open")
    ticked = {box["value"] for box in form.select("input[name=return_incomplete-reasons]:checked")}
    assert ticked == {"incomplete-metadata", "missing-main-file", "missing-ip-declaration"}
    assert "Summary / description is required." in form.get_text()
    # The records section sees what is missing, without links to a form it may not open.
    missing = page.find(attrs={"data-testid": "missing"})
    assert "The main file is missing." in missing.get_text() and missing.find("a") is None

    data = {"return_incomplete-version": submission.journey.version}
    data["return_incomplete-reasons"] = sorted(ticked)
    response = records.post(
        f"/admin/submissions/action/{submission.pk}/return_incomplete/", data, follow=True
    )
    assert response.status_code == 200
    submission.journey.refresh_from_db()
    assert submission.journey.state == State.RETURNED_INCOMPLETE
    record = submission.history.get(name="return_incomplete")
    assert {r["code"] for r in record.reasons} == ticked
    assert "Summary / description is required." in record.details["missing"]

    # A complete item is received first; its return is not pre-ticked.
    client = login("teacher.benguet")
    client.post(
        "/admin/submissions/new/",
        {**form_data(), "main_file": pdf_upload(), "ip_declaration_file": pdf_upload("ip.pdf")},
    )
    complete = Submission.objects.latest("pk")
    client.post(f"/admin/submissions/action/{complete.pk}/submit/", {"submit-version": 1})
    page = soup(login("records.benguet").get(f"/admin/submissions/inspect/{complete.pk}/"))
    actions = [b["data-action-name"] for b in page.select("button[data-action-name]")]
    assert actions.index("receive_at_division") < actions.index("return_incomplete")
    form = page.find(id="action-return_incomplete")
    assert not form.select("input[name=return_incomplete-reasons]:checked")
