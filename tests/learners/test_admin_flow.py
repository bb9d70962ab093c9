"""The seed-001 enrolment flow in the Wagtail admin, driven with the Django test client."""

from datetime import date

import pytest
from django.urls import reverse

from learners.models import Enrolment, Learner, LearnerAccessLog

pytestmark = pytest.mark.django_db

NEW_LEARNER = {
    "learner-lrn": "136512260101",
    "learner-last_name": "Carantes",
    "learner-first_name": "Lorna",
    "learner-middle_name": "Bacbac",
    "learner-sex": "F",
    "learner-birthdate": "2001-05-09",
    "learner-birthplace": "Tublay",
    "learner-civil_status": "single",
    "learner-religion": "Roman Catholic",
    "learner-mother_tongue": "iloko",
    "learner-ethnic_group": "Ibaloi",
    "learner-disability": "",
    "learner-mothers_maiden_name": "Bacbac, Teresa",
    "learner-contact_number": "09171112222",
    "learner-street": "Sitio Alapang",
    "learner-barangay": "Alapang",
    "learner-municipality": "La Trinidad",
    "learner-province": "Benguet",
    "learner-is_4ps_beneficiary": "yes",
    "learner-last_grade_completed": "8",
    "learner-interested_in_als": "on",
    "enrolment-program": "AE_JHS",
    "enrolment-delivery_mode": "F2F",
    "enrolment-date_first_attendance": "2026-08-03",
}


@pytest.fixture
def epsa(client, user_named, cycles):
    client.force_login(user_named("epsa.benguet"))
    return client


def enrolment_fields(cycles, clc, **overrides):
    data = dict(
        NEW_LEARNER, **{"enrolment-cycle": cycles["SY 2026-2027"].pk, "enrolment-clc": clc.pk}
    )
    data.update(overrides)
    return data


def start_flow(client):
    """Steps 1–2: the menu's "Enrol learner" → confirm the data source → the search page."""
    response = client.get(reverse("learners:enrol"))
    assert response.status_code == 200
    assert "confirm the data source" in response.text
    response = client.post(reverse("learners:enrol"), {"confirmed": "on"})
    assert response.status_code == 302
    assert response["Location"] == reverse("learners:search")


def test_menu_shows_enrol_learner_to_epsa(epsa):
    response = epsa.get(reverse("wagtailadmin_home"))
    assert "Enrol learner" in response.text
    assert reverse("learners:enrol") in response.text


def test_search_requires_confirmed_source(epsa):
    response = epsa.get(reverse("learners:search"))
    assert response.status_code == 302
    assert response["Location"] == reverse("learners:enrol")
    response = epsa.post(reverse("learners:enrol"), {})
    assert response.status_code == 200
    assert "This field is required" in response.text


def test_epsa_enrols_a_new_learner(epsa, cycles, benguet_clc):
    start_flow(epsa)
    # Step 3: search by name finds nobody.
    response = epsa.get(
        reverse("learners:search"), {"last_name": "Carantes", "first_name": "Lorna"}
    )
    assert "No learner found" in response.text
    assert "No, this is correct. Create New Record" in response.text
    create_url = reverse("learners:create") + "?last_name=Carantes&first_name=Lorna"
    assert create_url in response.text.replace("&amp;", "&")
    # Step 3a: the New Record form, prefilled from the search.
    response = epsa.get(create_url)
    assert response.status_code == 200
    assert 'value="Carantes"' in response.text
    # Step 4 → 5: Enrol → "Enrolment Added".
    response = epsa.post(reverse("learners:create"), enrolment_fields(cycles, benguet_clc))
    assert response.status_code == 302, response.context and response.context["learner_form"].errors
    response = epsa.get(response["Location"])
    assert "Enrolment Added" in response.text
    learner = Learner.objects.get(lrn="136512260101")
    assert learner.religion == "Roman Catholic"
    assert learner.address == {
        "street": "Sitio Alapang",
        "barangay": "Alapang",
        "municipality": "La Trinidad",
        "province": "Benguet",
    }
    assert learner.is_4ps_beneficiary is True
    assert learner.created_by.username == "epsa.benguet"
    enrolment = Enrolment.objects.get(learner=learner)
    assert (enrolment.cycle, enrolment.clc, enrolment.program) == (
        cycles["SY 2026-2027"],
        benguet_clc,
        "AE_JHS",
    )
    actions = set(
        LearnerAccessLog.objects.filter(lrn="136512260101").values_list("action", "username")
    )
    assert {("create", "epsa.benguet"), ("enrol", "epsa.benguet")} <= actions


def test_epsa_is_warned_and_must_confirm_a_near_duplicate(
    epsa, cycles, benguet_clc, make_learner, enrol_at
):
    existing = make_learner("136512250001", "Dela Cruz", "Juan", date(2006, 3, 14))
    enrol_at(existing, benguet_clc)
    start_flow(epsa)
    data = enrolment_fields(
        cycles,
        benguet_clc,
        **{
            "learner-lrn": "136512260777",
            "learner-last_name": "de la Cruz",
            "learner-first_name": "Jaun",
            "learner-sex": "M",
            "learner-birthdate": "2006-03-14",
        },
    )
    response = epsa.post(reverse("learners:create"), data)
    assert response.status_code == 200
    assert "Possible duplicate" in response.text
    assert "136512250001" in response.text
    assert "nearly matches 1 existing record" in response.text
    assert not Learner.objects.filter(lrn="136512260777").exists()
    # Explicit confirmation creates the record.
    response = epsa.post(
        reverse("learners:create"), dict(data, **{"learner-confirm_not_duplicate": "on"})
    )
    assert response.status_code == 302
    assert Learner.objects.filter(lrn="136512260777").exists()


def test_out_of_scope_near_duplicate_is_masked(
    epsa, cycles, benguet_clc, abra_clc, make_learner, enrol_at
):
    other = make_learner("140112250009", "Bersamin", "Ana", date(2003, 2, 1), sex="F")
    enrol_at(other, abra_clc)
    start_flow(epsa)
    data = enrolment_fields(
        cycles,
        benguet_clc,
        **{
            "learner-last_name": "Bersamin",
            "learner-first_name": "Anna",
            "learner-birthdate": "2003-02-01",
        },
    )
    response = epsa.post(reverse("learners:create"), data)
    assert "A record outside your scope: LRN ending …0009, born 2003" in response.text
    assert "Bersamin, Ana" not in response.text


def test_create_rejects_an_lrn_in_use_and_bad_dates(epsa, cycles, benguet_clc, make_learner):
    make_learner("136512260101", "Other", "Person", date(1990, 1, 1))
    start_flow(epsa)
    response = epsa.post(reverse("learners:create"), enrolment_fields(cycles, benguet_clc))
    assert "This LRN already belongs to a learner." in response.text
    response = epsa.post(
        reverse("learners:create"),
        enrolment_fields(
            cycles,
            benguet_clc,
            **{"learner-lrn": "136512260102", "enrolment-date_first_attendance": "2026-11-02"},
        ),
    )
    assert "after the enrolment cut-off of SY 2026-2027 (2026-10-31)" in response.text
    assert not Learner.objects.filter(lrn="136512260102").exists()
    response = epsa.post(
        reverse("learners:create"),
        enrolment_fields(cycles, benguet_clc, **{"learner-lrn": "13651226010"}),
    )
    assert "An LRN is exactly 12 digits" in response.text


def test_existing_learner_preview_update_enrol(epsa, cycles, benguet_clc, make_learner, enrol_at):
    learner = make_learner("136512250001", "Dela Cruz", "Juan", religion="Anglican")
    enrol_at(learner, benguet_clc)
    start_flow(epsa)
    response = epsa.get(reverse("learners:search"), {"last_name": "DELACRUZ", "first_name": "juan"})
    assert "136512250001" in response.text
    assert reverse("learners:preview", args=[learner.pk]) in response.text
    response = epsa.get(reverse("learners:preview", args=[learner.pk]))
    assert "Anglican" in response.text
    form = epsa.get(reverse("learners:update", args=[learner.pk])).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(
        {
            "birthdate": "2006-03-14",
            "religion": "Roman Catholic",
            "contact_number": "09998887777",
            "interested_in_als": "on",
        }
    )
    response = epsa.post(reverse("learners:update", args=[learner.pk]), data)
    assert response.status_code == 302, response.context["form"].errors
    learner.refresh_from_db()
    assert (learner.religion, learner.contact_number) == ("Roman Catholic", "09998887777")
    response = epsa.post(
        reverse("learners:enrol_existing", args=[learner.pk]),
        {
            "cycle": cycles["SY 2026-2027"].pk,
            "clc": benguet_clc.pk,
            "program": "AE_JHS",
            "delivery_mode": "IL",
            "date_first_attendance": "2026-07-01",
        },
    )
    assert response.status_code == 302
    assert "Enrolment Added" in epsa.get(response["Location"]).text
    assert learner.enrolments.count() == 2
    update = LearnerAccessLog.objects.get(learner=learner, action="update")
    assert set(update.fields) == {"contact_number", "religion"}


def test_staff_see_learners_of_their_own_scope_only(
    client, user_named, cycles, abra_clc, make_learner, enrol_at
):
    learner = make_learner("140112250009", "Bersamin", "Ana", sex="F")
    enrol_at(learner, abra_clc)
    client.force_login(user_named("epsa.benguet"))
    start_flow(client)
    assert client.get(reverse("learners:preview", args=[learner.pk])).status_code == 404
    assert client.get(reverse("learners:update", args=[learner.pk])).status_code == 404
    assert client.get(reverse("learners:enrol_existing", args=[learner.pk])).status_code == 404
    response = client.get(reverse("learners:search"), {"last_name": "Bersamin"})
    assert "140112250009" not in response.text
    # The person holding the LRN finds them, seeing only name, LRN and birthdate, and may request
    # a transfer, not enrol them (tests/learners/test_transfer.py has the whole transfer).
    response = client.get(reverse("learners:search"), {"lrn": "140112250009"})
    assert "Enrolled outside your scope" in response.text
    assert "Request transfer" in response.text
    response = client.get(reverse("learners:search"), {"lrn": "140112259999"})
    assert "No learner found" in response.text
    assert reverse("learners:create") + "?lrn=140112259999" in response.text
    response = client.get(reverse("learners:create") + "?lrn=140112259999")
    assert 'value="140112259999"' in response.text
    response = client.get(reverse("learners:enrol_existing", args=[learner.pk]))
    assert response.status_code == 200
    assert "belongs to another division" in response.text
    assert 'name="clc"' not in response.text
    client.force_login(user_named("epsa.abra"))
    start_flow(client)
    assert client.get(reverse("learners:preview", args=[learner.pk])).status_code == 200


def test_teacher_enrols_only_at_own_district_clcs(client, user_named, cycles, make_learner):
    from organisation.models import CommunityLearningCenter

    teacher = user_named("teacher.benguet")
    client.force_login(teacher)
    start_flow(client)
    response = client.get(reverse("learners:create"))
    choices = {c.pk for c in response.context["enrolment_form"].fields["clc"].queryset}
    district = teacher.role_assignments.get().district
    assert choices == set(
        CommunityLearningCenter.objects.filter(district=district).values_list("pk", flat=True)
    )
    other = CommunityLearningCenter.objects.exclude(district=district).first()
    response = client.post(reverse("learners:create"), enrolment_fields(cycles, other))
    assert "Select a valid choice" in response.text


def test_roles_without_enrolment_rights_are_refused(client, user_named, cycles):
    client.force_login(user_named("records.benguet"))
    for name in ("learners:enrol", "learners:search", "learners:create"):
        # Wagtail turns PermissionDenied into a redirect to the dashboard with an error message.
        response = client.get(reverse(name), follow=True)
        assert response.redirect_chain == [(reverse("wagtailadmin_home"), 302)]
        assert "Sorry, you do not have permission to access this area." in response.text
    assert "Enrol learner" not in client.get(reverse("wagtailadmin_home")).text


def test_create_and_update_hide_post_data_from_error_reports(rf, user_named, cycles):
    from django.contrib.sessions.backends.db import SessionStore

    from learners.views import CreateView

    request = rf.post(reverse("learners:create"), {"learner-religion": "Islam"})
    request.user = user_named("epsa.benguet")
    request.session = SessionStore()
    request.session["learners_source_confirmed"] = True
    CreateView.as_view()(request)
    assert request.sensitive_post_parameters == "__ALL__"


def test_enrolment_status_is_set_from_the_preview(
    epsa, cycles, benguet_clc, abra_clc, make_learner, enrol_at
):
    from wagtail.models import ModelLogEntry

    learner = make_learner("136512250001", "Dela Cruz", "Juan", date(1995, 3, 14))
    here = enrol_at(learner, benguet_clc, program="AE_ELEM")
    elsewhere = enrol_at(learner, abra_clc, cycle="CY 2024", program="BLP", day=date(2024, 3, 1))
    start_flow(epsa)
    response = epsa.get(reverse("learners:preview", args=[learner.pk]))
    assert reverse("learners:enrolment_status", args=[here.pk]) in response.text
    assert reverse("learners:enrolment_status", args=[elsewhere.pk]) not in response.text
    response = epsa.post(
        reverse("learners:enrolment_status", args=[here.pk]), {"status": "completed"}, follow=True
    )
    assert "SY 2025-2026: status set to Completed the program." in response.text
    here.refresh_from_db()
    assert here.status == "completed"
    assert ModelLogEntry.objects.filter(action="learners.enrolment_status").exists()
    # The re-enrolment rule now applies: an A&E Elementary completer cannot enrol in BLP.
    response = epsa.post(
        reverse("learners:enrol_existing", args=[learner.pk]),
        {
            "cycle": cycles["SY 2026-2027"].pk,
            "clc": benguet_clc.pk,
            "program": "BLP",
            "delivery_mode": "F2F",
            "date_first_attendance": "2026-07-01",
        },
    )
    assert (
        "completed A&amp;E Elementary and cannot enrol in Basic Literacy Program (BLP)"
        in response.text
    )
    # Another division's enrolment cannot be changed; a bad status is refused.
    response = epsa.post(
        reverse("learners:enrolment_status", args=[elsewhere.pk]), {"status": "dropped"}
    )
    assert response.status_code == 404
    response = epsa.post(
        reverse("learners:enrolment_status", args=[here.pk]), {"status": "graduated"}, follow=True
    )
    assert "Choose a status from the list." in response.text
    here.refresh_from_db()
    assert here.status == "completed"


def test_sensitive_values_never_reach_the_logs(epsa, cycles, benguet_clc, caplog, settings):
    import logging

    settings.DEBUG = True  # even with SQL logging on, only ciphertext reaches the database layer
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="django.db.backends")
    start_flow(epsa)
    response = epsa.post(reverse("learners:create"), enrolment_fields(cycles, benguet_clc))
    assert response.status_code == 302
    learner = Learner.objects.get(lrn="136512260101")
    epsa.get(reverse("learners:preview", args=[learner.pk]))
    logged = caplog.text
    assert "INSERT INTO" in logged and "learners_learner" in logged  # the SQL was logged
    for value in (
        "Roman Catholic",
        "Ibaloi",
        "Bacbac, Teresa",
        "09171112222",
        "Sitio Alapang",
        "Tublay",
    ):
        assert value not in logged
