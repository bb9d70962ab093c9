"""The awardees list (credentials.roster): reading it within bounds, the four row kinds, and the
one-transaction confirmation; then the admin flow with Django's test client."""

import io
import re
from datetime import date

import pytest
from django.urls import reverse

from credentials import roster
from credentials.models import AwardBatch, BatchMember
from learners.models import Learner, LearnerAccessLog
from snapshots.readers import UnreadableFile

from .roster_files import HEADER, four_kinds, ready, to_csv, to_xlsx

CEREMONY = date(2025, 12, 19)
SIGNATORIES = [{"name": "Juana Santos", "position": "Schools Division Superintendent"}]


def read(content, name="awardees.csv"):
    return roster.read_roster(io.BytesIO(content), name)


def kinds(rows):
    return {row.number: row.kind for row in rows}


def confirm(user, division, achievement, rows, decisions, name="awardees.csv"):
    return roster.confirm(
        user,
        division=division,
        achievements=[achievement],
        ceremony_date=CEREMONY,
        venue="La Trinidad Municipal Gym",
        signatories=SIGNATORIES,
        rows=rows,
        decisions=decisions,
        source_name=name,
    )


# --- reading -----------------------------------------------------------------------------------


def test_headers_match_whatever_their_case_spacing_and_order(db):
    content = (
        b"Awardees, Recognition Day 2025\n"
        b"\n"
        b"birthdate,SEX, lrn ,LastName,first  name,Narrative\n"
        b"2004-05-01,Female,136512259001,Bagtang,Maria,Led the clean-up drive.\n"
        b"12/24/2003,m,136512259002,Dalisay,Pedro,\n"
    )
    rows = read(content)
    assert [(r.number, r.lrn, r.last_name, r.first_name, r.sex) for r in rows] == [
        (4, "136512259001", "Bagtang", "Maria", "F"),
        (5, "136512259002", "Dalisay", "Pedro", "M"),
    ]
    assert rows[0].birthdate == date(2004, 5, 1) and rows[1].birthdate == date(2003, 12, 24)
    assert rows[0].narrative == "Led the clean-up drive." and rows[1].narrative == ""
    assert rows[0].middle_name == "" and rows[0].problems == []


def test_an_xlsx_named_csv_and_a_csv_named_xlsx_are_read_by_their_content(db):
    rows = [["136512259001", "Bagtang", "Maria", "", "", "F", date(2004, 5, 1), ""]]
    from_xlsx = read(to_xlsx(rows), "awardees.csv")
    from_csv = read(to_csv([[*rows[0][:6], "2004-05-01", ""]]), "awardees.xlsx")
    for found in (from_xlsx, from_csv):
        assert [(r.lrn, r.first_name, r.birthdate) for r in found] == [
            ("136512259001", "Maria", date(2004, 5, 1))
        ]
    # A number-typed LRN and a date cell of a workbook read as in an AF upload.
    numeric = read(to_xlsx([[136512259001, "Bagtang", "Maria", None, None, "F", 38108, None]]))
    assert (numeric[0].lrn, numeric[0].birthdate) == ("136512259001", date(2004, 5, 1))
    with pytest.raises(UnreadableFile, match="neither an .xlsx workbook nor a UTF-8 .csv"):
        read(b"%PDF-1.7\x00\x01binary", "awardees.csv")
    workbook = to_xlsx(rows)
    with pytest.raises(UnreadableFile, match="damaged"):
        read(workbook[: len(workbook) // 2], "awardees.xlsx")


def test_a_file_without_the_needed_columns_is_refused_by_name(db):
    with pytest.raises(UnreadableFile, match="lacks the column\\(s\\): Sex, Birthdate"):
        read(to_csv([["136512259001", "Bagtang", "Maria"]], header=HEADER[:3]))
    with pytest.raises(UnreadableFile, match="No header row found"):
        read(b"name,age\nMaria,21\n")
    with pytest.raises(UnreadableFile, match="header row but no learner rows"):
        read(to_csv([]))


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(db, settings):
    settings.CREDENTIALS_ROSTER_MAX_BYTES = 100
    content = to_csv([["136512259001", "Bagtang", "Maria", "", "", "F", "2004-05-01", "x" * 200]])
    with pytest.raises(UnreadableFile, match="at most 100 bytes"):
        read(content)


def test_a_file_over_the_row_limit_is_refused(db, settings):
    settings.CREDENTIALS_ROSTER_MAX_ROWS = 3
    rows = [
        [f"1365122591{i:02}", "Bagtang", "Maria", "", "", "F", "2004-05-01", ""] for i in range(4)
    ]
    with pytest.raises(UnreadableFile, match="more than 3 learner rows"):
        read(to_csv(rows))
    with pytest.raises(UnreadableFile, match="more than 3 learner rows"):
        read(to_xlsx(rows))
    assert len(read(to_csv(rows[:3]))) == 3


def test_a_read_over_the_time_limit_stops(db, settings):
    settings.CREDENTIALS_ROSTER_TIME_LIMIT = 0
    with pytest.raises(UnreadableFile, match="took longer than the limit of 0 seconds"):
        read(to_csv([["136512259001", "Bagtang", "Maria", "", "", "F", "2004-05-01", ""]]))


# --- the four kinds ------------------------------------------------------------------------------


def test_each_row_kind(user_named, benguet, benguet_learners, merged_rosa):
    survivor, alias = merged_rosa
    rows = roster.preview(
        read(to_csv(four_kinds(benguet_learners, alias))), benguet, user_named("epsa.benguet")
    )
    assert kinds(rows) == {
        2: roster.MATCHED,
        3: roster.DIFFERING,
        4: roster.NEW,
        5: roster.NEW,
        6: roster.REFUSED,
        7: roster.REFUSED,
        8: roster.MATCHED,
    }
    by_number = {row.number: row for row in rows}
    # Matched on the folded name (case), differing with both names shown.
    assert by_number[2].learner == benguet_learners[0]
    assert (by_number[3].registry_name, by_number[3].file_name) == (
        "Pedro Dalisay",
        "Pedrito Dalisay",
    )
    assert by_number[4].near_duplicates == [] and not by_number[4].needs_decision
    assert by_number[6].reasons == ["LRN: An LRN is exactly 12 digits."]
    assert by_number[7].reasons == ["Duplicate LRN: already on row 2 of this file."]
    assert roster.counts(rows) == {"matched": 2, "differing": 1, "new": 2, "refused": 2}
    # The registry's learners shown are in the access log (LRN and name), as a search's are.
    logged = set(
        LearnerAccessLog.objects.filter(user=user_named("epsa.benguet")).values_list(
            "lrn", flat=True
        )
    )
    assert {benguet_learners[0].lrn, benguet_learners[1].lrn, survivor.lrn} <= logged


def test_a_merged_lrn_resolves_to_the_surviving_learner(user_named, benguet, merged_rosa):
    survivor, alias = merged_rosa
    rows = [
        [alias, "Tindaan", "Rosa", "", "", "F", "2002-07-07", ""],
        [survivor.lrn, "Tindaan", "Rosa", "", "", "F", "2002-07-07", ""],
    ]
    first, second = roster.preview(read(to_csv(rows)), benguet, user_named("epsa.benguet"))
    assert (first.kind, first.learner, first.merged_lrn) == (roster.MATCHED, survivor, alias)
    assert first.name_as_printed() == "Rosa Tindaan"
    # Both LRNs of one person in one list: the second row is the same learner again.
    assert second.kind == roster.REFUSED
    assert "same learner as on row 2" in second.reasons[0]


def test_refused_rows_say_why(user_named, benguet, benguet_learners, demo):
    abra_learner = Learner.objects.create(
        lrn="136512259070",
        last_name="Bersamin",
        first_name="Joy",
        birthdate=date(2001, 1, 1),
        sex="F",
        division=benguet.region.divisions.get(slug="abra"),
    )
    maria = benguet_learners[0]
    rows = [
        [abra_learner.lrn, "Bersamin", "Joy", "", "", "F", "2001-01-01", ""],
        [maria.lrn, "Bagtang", "Maria", "", "", "F", "1999-09-09", ""],
        ["136512259102", "", "Ben", "", "", "X", "2030-01-01", ""],
        ["136512259103", "Dumalo", "Kiko", "", "", "M", "2024-01-01", ""],
    ]
    abra, wrong_birthdate, broken, too_young = roster.preview(
        read(to_csv(rows)), benguet, user_named("epsa.benguet")
    )
    assert abra.kind == roster.REFUSED and "belongs to another division" in abra.reasons[0]
    # Outside the division nothing of the registry's record is shown.
    assert abra.learner is None
    assert wrong_birthdate.reasons == [
        "The birthdate is not the registry's for this LRN; check the LRN."
    ]
    assert broken.reasons == [
        "Last Name: Last Name is required.",
        "Sex: Not one of the allowed values (Male; Female).",
    ]
    assert too_young.kind == roster.REFUSED
    assert "ALS starts at 6" in too_young.reasons[0]


def test_a_future_birthdate_of_a_new_learner_is_refused_as_in_enrolment(user_named, benguet):
    rows = [["136512259104", "Dumalo", "Kiko", "", "", "M", "2099-01-01", ""]]
    (row,) = roster.preview(read(to_csv(rows)), benguet, user_named("epsa.benguet"))
    assert row.kind == roster.REFUSED
    assert row.reasons == ["The birthdate cannot be in the future."]


def test_new_rows_are_refused_for_who_may_not_register_learners(user_named, benguet):
    # Regional ALS personnel may not enrol learners: a new LRN is refused for them.
    rows = [["136512259105", "Dumalo", "Kiko", "", "", "M", "2001-01-01", ""]]
    (row,) = roster.preview(read(to_csv(rows)), benguet, user_named("als.region"))
    assert row.kind == roster.REFUSED and "may not register learners" in row.reasons[0]


def test_a_new_row_like_an_existing_learner_shows_the_candidate(
    user_named, benguet, benguet_learners
):
    rows = [["136512259101", "Bagtang", "Marya", "", "", "F", "2004-05-01", ""]]
    (row,) = roster.preview(read(to_csv(rows)), benguet, user_named("epsa.benguet"))
    assert row.kind == roster.NEW and row.needs_decision
    ((match, in_scope),) = row.near_duplicates
    assert match.learner == benguet_learners[0] and in_scope
    assert "same birthdate" in match.reasons


# --- confirming ---------------------------------------------------------------------------------


def test_confirm_registers_new_learners_and_prepares_the_batch(
    user_named, benguet, benguet_learners, merged_rosa, achievement
):
    survivor, alias = merged_rosa
    epsa = user_named("epsa.benguet")
    rows = roster.preview(read(to_csv(ready(benguet_learners, alias))), benguet, epsa)
    batch = confirm(
        epsa, benguet, achievement, rows, {3: roster.PRINT_FILE, 5: roster.REGISTER_NEW}
    )
    members = {m.learner.lrn: m for m in batch.members.select_related("learner")}
    assert set(members) == {
        benguet_learners[0].lrn,
        benguet_learners[1].lrn,
        "136512259100",
        "136512259101",
        survivor.lrn,
    }
    assert members[benguet_learners[1].lrn].name_as_printed == "Pedrito Dalisay"
    assert members["136512259100"].name_as_printed == "Grace Sapdoy Lumidao"
    assert members["136512259100"].narrative == "Tutored peers."
    grace = Learner.objects.get(lrn="136512259100")
    assert (grace.division, grace.created_by, grace.birthdate) == (benguet, epsa, date(2003, 2, 3))
    assert batch.source_name == "awardees.csv" and list(batch.achievements.all()) == [achievement]
    # The registry's name stays as it is: "print the file's name" changes only the certificate.
    assert Learner.objects.get(pk=benguet_learners[1].pk).first_name == "Pedro"


def test_keeping_the_registrys_name(user_named, benguet, benguet_learners, achievement):
    pedro = benguet_learners[1]
    epsa = user_named("epsa.benguet")
    rows = [[pedro.lrn, "Dalisay", "Pedrito", "", "", "M", "2004-05-01", ""]]
    preview = roster.preview(read(to_csv(rows)), benguet, epsa)
    batch = confirm(epsa, benguet, achievement, preview, {2: roster.KEEP_REGISTRY})
    assert batch.members.get().name_as_printed == "Pedro Dalisay"


def test_a_refused_or_undecided_row_blocks_confirmation(
    user_named, benguet, benguet_learners, merged_rosa, achievement
):
    _survivor, alias = merged_rosa
    epsa = user_named("epsa.benguet")
    learners_before = Learner.objects.count()
    rows = roster.preview(read(to_csv(four_kinds(benguet_learners, alias))), benguet, epsa)
    with pytest.raises(roster.RosterRefused) as refused:
        confirm(epsa, benguet, achievement, rows, {3: roster.PRINT_FILE, 5: roster.REGISTER_NEW})
    assert [number for number, _message in refused.value.problems] == [6, 7]
    rows = roster.preview(read(to_csv(ready(benguet_learners, alias))), benguet, epsa)
    with pytest.raises(roster.RosterRefused) as undecided:
        confirm(epsa, benguet, achievement, rows, {3: "something else"})
    assert [number for number, _message in undecided.value.problems] == [3, 5]
    assert AwardBatch.objects.count() == 0 and Learner.objects.count() == learners_before


def test_a_failure_mid_confirm_writes_nothing(
    user_named, benguet, benguet_learners, merged_rosa, achievement
):
    _survivor, alias = merged_rosa
    epsa = user_named("epsa.benguet")
    rows = roster.preview(read(to_csv(ready(benguet_learners, alias))), benguet, epsa)
    decisions = {3: roster.PRINT_FILE, 5: roster.REGISTER_NEW}
    learners_before = Learner.objects.count()
    # Someone registers the second new LRN between the preview and the confirmation: the first
    # new learner was already created in the transaction, and goes with its rollback.
    Learner.objects.create(
        lrn="136512259101",
        last_name="Other",
        first_name="Person",
        birthdate=date(2000, 1, 1),
        sex="M",
    )
    with pytest.raises(roster.RosterRefused) as refused:
        confirm(epsa, benguet, achievement, rows, decisions)
    assert refused.value.problems == [(5, "This LRN already belongs to a learner.")]
    assert not Learner.objects.filter(lrn="136512259100").exists()
    assert Learner.objects.count() == learners_before + 1
    # The batch refused by the service after every learner was registered: nothing either.
    Learner.objects.filter(lrn="136512259101").delete()
    achievement.is_active = False
    achievement.save()
    from credentials.services import CredentialError

    with pytest.raises(CredentialError, match="No longer awarded"):
        confirm(epsa, benguet, achievement, rows, decisions)
    assert not Learner.objects.filter(lrn__in=["136512259100", "136512259101"]).exists()
    assert AwardBatch.objects.count() == 0 and BatchMember.objects.count() == 0


# --- the admin flow ------------------------------------------------------------------------------


def form_data(benguet, achievement, content, name="awardees.csv", **extra):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return {
        "division": benguet.pk,
        "achievements": [achievement.pk],
        "ceremony_date": "2025-12-19",
        "venue": "La Trinidad Municipal Gym",
        "signatory_1_name": "Juana Santos",
        "signatory_1_position": "Schools Division Superintendent",
        "signatory_2_name": "Carlo Ramos",
        "signatory_2_position": "EPS for ALS",
        "file": SimpleUploadedFile(name, content, content_type="text/csv"),
        **extra,
    }


def test_upload_preview_and_confirm_in_the_admin(
    client, user_named, benguet, benguet_learners, merged_rosa, achievement
):
    _survivor, alias = merged_rosa
    client.force_login(user_named("epsa.benguet"))
    prepare = reverse("credentials:prepare")
    page = client.get(prepare)
    assert page.status_code == 200 and "Prepare an award batch" in page.text
    response = client.post(
        prepare, form_data(benguet, achievement, to_csv(four_kinds(benguet_learners, alias)))
    )
    assert response.status_code == 302
    preview_url = response["Location"]
    page = client.get(preview_url)
    assert page.status_code == 200
    text = page.text
    for kind in ("matched", "differing", "new", "refused"):
        assert f'data-kind="{kind}"' in text
    assert "Pedrito Dalisay" in text and "Pedro Dalisay" in text
    assert "Possible duplicate" in text and "Duplicate LRN: already on row 2" in text
    assert re.search(r'data-testid="confirm-roster"\s+disabled', text)
    # Posting anyway: refused with the reason, nothing written.
    response = client.post(preview_url, {"row-3": "file", "row-5": "new"})
    assert response.status_code == 400 and "block the confirmation" in response.text
    assert AwardBatch.objects.count() == 0

    # "Upload a corrected file" keeps the day's details; the corrected list confirms.
    again = client.get(prepare + "?again=" + preview_url.rstrip("/").rsplit("/", 1)[1])
    assert 'value="La Trinidad Municipal Gym"' in again.text
    response = client.post(
        prepare,
        form_data(benguet, achievement, to_xlsx(ready(benguet_learners, alias)), "list.csv"),
    )
    preview_url = response["Location"]
    page = client.get(preview_url)
    assert "disabled" not in page.text.split('data-testid="confirm-roster"')[1].split(">")[0]
    response = client.post(preview_url, {"row-3": "file"})
    assert response.status_code == 400
    assert "Confirm that this is a different person" in response.text
    response = client.post(preview_url, {"row-3": "file", "row-5": "new"})
    batch = AwardBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("credentials:batch", args=[batch.pk])
    assert batch.members.count() == 5 and batch.source_name == "list.csv"
    assert batch.signatories == [
        {"name": "Juana Santos", "position": "Schools Division Superintendent"},
        {"name": "Carlo Ramos", "position": "EPS for ALS"},
    ]
    assert (
        Learner.objects.filter(lrn__in=["136512259100", "136512259101"], division=benguet).count()
        == 2
    )
    # The list is used up: its preview is gone.
    response = client.get(preview_url)
    assert response.status_code == 302 and response["Location"] == prepare


def test_an_unreadable_or_too_big_file_is_a_400_with_the_reason(
    client, user_named, benguet, achievement, settings
):
    client.force_login(user_named("epsa.benguet"))
    prepare = reverse("credentials:prepare")
    response = client.post(prepare, form_data(benguet, achievement, b"\xd0\xcf\x11\xe0 old excel"))
    assert response.status_code == 400 and "Old Excel 97-2003" in response.text
    settings.CREDENTIALS_ROSTER_MAX_ROWS = 2
    rows = [
        [f"1365122591{i:02}", "Bagtang", "Maria", "", "", "F", "2004-05-01", ""] for i in range(3)
    ]
    response = client.post(prepare, form_data(benguet, achievement, to_csv(rows)))
    assert response.status_code == 400 and "more than 2 learner rows" in response.text
    settings.CREDENTIALS_ROSTER_MAX_BYTES = 50
    response = client.post(prepare, form_data(benguet, achievement, to_csv(rows)))
    assert response.status_code == 400 and "at most 50 bytes" in response.text


def test_who_may_prepare_and_for_which_division(client, user_named, benguet, achievement):
    prepare = reverse("credentials:prepare")
    client.force_login(user_named("teacher.benguet"))
    response = client.get(prepare)
    assert response.status_code in (302, 403) and "Prepare an award batch" not in response.text
    client.force_login(user_named("epsa.benguet"))
    abra = benguet.region.divisions.get(slug="abra")
    rows = [["136512259001", "Bagtang", "Maria", "", "", "F", "2004-05-01", ""]]
    response = client.post(prepare, form_data(abra, achievement, to_csv(rows)))
    assert response.status_code == 400 and "Select a valid choice" in response.text


def test_a_preview_is_only_this_sessions(
    client, user_named, benguet, benguet_learners, achievement
):
    client.force_login(user_named("epsa.benguet"))
    rows = [[benguet_learners[0].lrn, "Bagtang", "Maria", "", "", "F", "2004-05-01", ""]]
    response = client.post(
        reverse("credentials:prepare"), form_data(benguet, achievement, to_csv(rows))
    )
    preview_url = response["Location"]
    assert client.get(preview_url).status_code == 200
    # Another session of the same person, or a guessed token, finds nothing.
    from django.test import Client

    other = Client()
    other.force_login(user_named("epsa.benguet"))
    assert other.get(preview_url)["Location"] == reverse("credentials:prepare")
    guessed = reverse("credentials:prepare_preview", args=["guessed-token"])
    assert client.get(guessed)["Location"] == reverse("credentials:prepare")


def test_the_template_reads_back_as_a_list(client, user_named, benguet_learners):
    client.force_login(user_named("epsa.benguet"))
    response = client.get(reverse("credentials:roster_template"))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="awardees-template.csv"'
    filled = response.content + b"136512259001,Bagtang,Maria,,,F,2004-05-01,\r\n"
    assert [row.lrn for row in read(filled)] == ["136512259001"]
