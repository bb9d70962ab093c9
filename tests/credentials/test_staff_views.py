"""The micro-credentials' staff screens in the Wagtail admin, per role: achievements, assessments,
award batches and awards, the PDFs, the menu and the dashboard."""

from datetime import date

import pytest
from django.urls import reverse

from credentials.models import Achievement, Assessment, Award, AwardBatch, AwardState, BatchState

pytestmark = pytest.mark.django_db

ACHIEVEMENT_FORM = {
    "slug": "teamwork",
    "name": "Collaboration",
    "name_fil": "Pakikipagtulungan",
    "name_ilo": "Panagtitinnulong",
    "description": "Works with others towards a shared goal.",
    "description_fil": "Nakikipagtulungan sa iba.",
    "description_ilo": "",
    "competency_elements": "Shares tasks\nResolves disagreements",
    "learning_strand": "LS4 Life and Career Skills",
    "pqf_level": "1",
    "criteria_narrative": "Every rater rates every element 3 or more.",
    "assessment_method": "360° assessment",
    "raters": ["teacher", "self"],
    "pass_minimum": "3",
    "pass_mean": "3.00",
    "validity_months": "",
    "certificate_wording": "has shown collaboration",
    "certificate_wording_fil": "ay nagpakita ng pakikipagtulungan",
    "certificate_wording_ilo": "",
    "is_active": "on",
}


def refused(response):
    """Wagtail's admin answers PermissionDenied with a redirect to the dashboard and a message."""
    return response.status_code == 403 or (
        response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")
    )


@pytest.fixture
def as_user(client, user_named):
    def login(username):
        client.force_login(user_named(username))
        return client

    return login


@pytest.fixture
def issued(batch, user_named):
    """The batch approved by epsa.benguet and issued: three awards."""
    from credentials import services

    epsa = user_named("epsa.benguet")
    services.approve_batch(epsa, batch)
    services.issue_batch(epsa, AwardBatch.objects.get(pk=batch.pk))
    return AwardBatch.objects.get(pk=batch.pk)


# --- achievements ------------------------------------------------------------------------------


def test_regional_als_defines_an_achievement(as_user):
    client = as_user("als.region")
    assert client.get(reverse("credentials:achievement_add")).status_code == 200
    response = client.post(reverse("credentials:achievement_add"), ACHIEVEMENT_FORM)
    assert response.status_code == 302
    achievement = Achievement.objects.get(slug="teamwork")
    assert achievement.raters == ["self", "teacher"]
    assert achievement.name_fil == "Pakikipagtulungan"
    assert achievement.elements == ["Shares tasks", "Resolves disagreements"]
    listing = client.get(reverse("credentials:achievements")).content.decode()
    assert "Collaboration" in listing and "Define a micro-credential" in listing


def test_a_bad_achievement_is_refused_with_messages(as_user):
    client = as_user("sysadmin.region")
    data = {**ACHIEVEMENT_FORM, "raters": [], "pass_mean": "5", "competency_elements": " \n"}
    response = client.post(reverse("credentials:achievement_add"), data)
    assert response.status_code == 400
    form = response.context["form"]
    assert {"raters", "pass_mean", "competency_elements"} <= set(form.errors)
    assert not Achievement.objects.filter(slug="teamwork").exists()


def test_others_read_achievements_but_may_not_define_them(as_user, achievement):
    client = as_user("epsa.benguet")
    listing = client.get(reverse("credentials:achievements")).content.decode()
    assert "Communication" in listing and "Define a micro-credential" not in listing
    assert refused(client.get(reverse("credentials:achievement_add")))
    page = client.get(reverse("credentials:achievement", args=[achievement.pk]))
    assert page.status_code == 200 and 'data-testid="read-only"' in page.content.decode()
    edit = {**ACHIEVEMENT_FORM, "slug": achievement.slug, "name": "Changed"}
    assert refused(client.post(reverse("credentials:achievement", args=[achievement.pk]), edit))
    assert Achievement.objects.get(pk=achievement.pk).name == "Communication"


def test_a_user_without_a_role_is_refused(client, django_user_model):
    user = django_user_model.objects.create_user("nobody", password="x")
    client.force_login(user)
    response = client.get(reverse("credentials:achievements"))
    # No admin access at all: Wagtail sends them to sign in.
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


# --- assessments -------------------------------------------------------------------------------


def rating_form(achievement, value, assessed_on="2025-11-20"):
    data = {"assessed_on": assessed_on}
    for index, _element in enumerate(achievement.elements):
        for rater in achievement.raters:
            data[f"{rater}_{index}"] = str(value)
    return data


def test_focal_person_records_ratings_and_sees_who_qualifies(
    as_user, achievement, benguet_learners
):
    client = as_user("focal.benguet")
    learner = benguet_learners[0]
    start = client.get(
        reverse("credentials:assessments"), {"lrn": learner.lrn, "achievement": achievement.slug}
    )
    url = reverse("credentials:assess", args=[learner.pk, achievement.slug])
    assert start.status_code == 302 and start["Location"] == url
    page = client.get(url).content.decode()
    assert 'data-qualified="no"' in page and "Listens actively" in page
    response = client.post(url, rating_form(achievement, 4))
    assert response.status_code == 302
    assert Assessment.objects.filter(learner=learner, achievement=achievement).count() == 3
    page = client.get(url).content.decode()
    assert 'data-qualified="yes"' in page and "Qualifies" in page


def test_a_missing_rating_is_refused(as_user, achievement, benguet_learners):
    client = as_user("epsa.benguet")
    url = reverse("credentials:assess", args=[benguet_learners[0].pk, achievement.slug])
    data = rating_form(achievement, 3)
    data["community_1"] = ""
    response = client.post(url, data)
    assert response.status_code == 400
    assert "community rating is needed" in response.content.decode()


def test_assessments_are_for_the_learners_division(as_user, achievement, benguet_learners):
    url = reverse("credentials:assess", args=[benguet_learners[0].pk, achievement.slug])
    assert as_user("epsa.abra").get(url).status_code == 404
    assert refused(as_user("teacher.benguet").get(reverse("credentials:assessments")))
    abra = as_user("epsa.abra").get(
        reverse("credentials:assessments"),
        {"lrn": benguet_learners[0].lrn, "achievement": achievement.slug},
    )
    assert abra.status_code == 200 and "No learner of your divisions" in abra.content.decode()


# --- batches -----------------------------------------------------------------------------------


def test_batches_are_listed_in_scope(as_user, batch):
    page = as_user("epsa.benguet").get(reverse("credentials:batches")).content.decode()
    assert "La Trinidad Municipal Gym" in page
    other = as_user("epsa.abra").get(reverse("credentials:batches")).content.decode()
    assert "La Trinidad Municipal Gym" not in other
    assert (
        as_user("epsa.abra").get(reverse("credentials:batch", args=[batch.pk])).status_code == 404
    )
    assert refused(as_user("teacher.benguet").get(reverse("credentials:batches")))


def test_the_approver_approves_then_issues(as_user, batch):
    client = as_user("epsa.benguet")
    url = reverse("credentials:batch", args=[batch.pk])
    page = client.get(url).content.decode()
    assert 'data-action="approve"' in page and "Juana Santos" in page and "Maria Bagtang" in page
    assert client.post(url, {"action": "approve"}).status_code == 302
    assert AwardBatch.objects.get(pk=batch.pk).state == BatchState.APPROVED
    page = client.get(url).content.decode()
    assert 'data-action="issue"' in page and 'data-action="approve"' not in page
    client.post(url, {"action": "issue"})
    assert AwardBatch.objects.get(pk=batch.pk).state == BatchState.ISSUED
    page = client.get(url).content.decode()
    codes = Award.objects.filter(batch=batch).values_list("code", flat=True)
    assert len(codes) == 3 and all(code in page for code in codes)
    assert "Print the batch (PDF)" in page


def test_the_preparer_may_not_approve_their_own_batch(as_user, batch):
    client = as_user("focal.benguet")
    url = reverse("credentials:batch", args=[batch.pk])
    page = client.get(url).content.decode()
    assert 'data-action="approve"' not in page and 'data-action="cancel"' in page
    response = client.post(url, {"action": "approve"}, follow=True)
    assert AwardBatch.objects.get(pk=batch.pk).state == BatchState.DRAFT
    assert "may not approve" in response.content.decode()


def test_a_batch_is_cancelled(as_user, batch):
    as_user("focal.benguet").post(
        reverse("credentials:batch", args=[batch.pk]), {"action": "cancel"}
    )
    assert AwardBatch.objects.get(pk=batch.pk).state == BatchState.CANCELLED


def test_an_unknown_action_changes_nothing(as_user, batch):
    response = as_user("epsa.benguet").post(
        reverse("credentials:batch", args=[batch.pk]), {"action": "explode"}
    )
    assert response.status_code == 302
    assert AwardBatch.objects.get(pk=batch.pk).state == BatchState.DRAFT


def test_the_pdfs(as_user, issued):
    client = as_user("epsa.benguet")
    response = client.get(reverse("credentials:batch_pdf", args=[issued.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response).startswith(b"%PDF")
    award = Award.objects.filter(batch=issued).first()
    single = client.get(reverse("credentials:award_pdf", args=[award.pk]))
    assert single.status_code == 200 and b"".join(single).startswith(b"%PDF")
    other = as_user("epsa.abra")
    assert other.get(reverse("credentials:batch_pdf", args=[issued.pk])).status_code == 404
    assert other.get(reverse("credentials:award_pdf", args=[award.pk])).status_code == 404


def test_a_batch_not_issued_does_not_print(as_user, batch):
    response = as_user("epsa.benguet").get(reverse("credentials:batch_pdf", args=[batch.pk]))
    assert response.status_code == 302


# --- awards ------------------------------------------------------------------------------------


def test_awards_are_filtered(as_user, issued, achievement):
    client = as_user("epsa.benguet")
    url = reverse("credentials:awards")
    assert "Maria Bagtang" in client.get(url, {"division": "benguet"}).content.decode()
    assert "Maria Bagtang" not in client.get(url, {"division": "abra"}).content.decode()
    assert "Maria Bagtang" in client.get(url, {"batch": issued.pk}).content.decode()
    assert "Maria Bagtang" in client.get(url, {"achievement": achievement.slug}).content.decode()
    assert "Maria Bagtang" not in client.get(url, {"state": "revoked"}).content.decode()
    assert client.get(url, {"batch": "x", "state": "nonsense"}).status_code == 200
    assert "Maria Bagtang" not in as_user("epsa.abra").get(url).content.decode()


def test_revoke_needs_a_reason(as_user, issued):
    award = Award.objects.get(batch=issued, name_as_printed="Maria Bagtang")
    client = as_user("epsa.benguet")
    url = reverse("credentials:award", args=[award.pk])
    assert client.post(url, {"action": "revoke", "reason": ""}).status_code == 400
    assert Award.objects.get(pk=award.pk).state == AwardState.VALID
    assert (
        client.post(url, {"action": "revoke", "reason": "Assessed twice by mistake"}).status_code
        == 302
    )
    award.refresh_from_db()
    assert award.state == AwardState.REVOKED and award.revoke_reason == "Assessed twice by mistake"
    page = client.get(url).content.decode()
    assert "Revoked" in page and 'data-action="revoke"' not in page


def test_reissue_after_a_name_correction(as_user, issued):
    award = Award.objects.get(batch=issued, name_as_printed="Maria Bagtang")
    client = as_user("als.region")
    url = reverse("credentials:award", args=[award.pk])
    response = client.post(url, {"action": "reissue", "name_as_printed": "María Bagtang"})
    award.refresh_from_db()
    new = award.replaced_by
    assert award.state == AwardState.REPLACED and new.name_as_printed == "María Bagtang"
    assert response["Location"] == reverse("credentials:award", args=[new.pk])
    assert 'data-testid="replaced-by"' in client.get(url).content.decode()
    new_page = client.get(response["Location"]).content.decode()
    assert 'data-testid="replaces"' in new_page and award.code in new_page


def test_only_amending_roles_revoke(as_user, issued):
    award = Award.objects.filter(batch=issued).first()
    url = reverse("credentials:award", args=[award.pk])
    client = as_user("focal.benguet")
    assert 'data-action="revoke"' not in client.get(url).content.decode()
    assert refused(client.post(url, {"action": "revoke", "reason": "no"}))
    assert as_user("epsa.abra").get(url).status_code == 404
    assert Award.objects.get(pk=award.pk).state == AwardState.VALID


# --- menu and dashboard ------------------------------------------------------------------------


def test_the_menu_and_the_dashboard(as_user, batch):
    page = as_user("epsa.benguet").get("/admin/").content.decode()
    assert "Micro-credentials" in page
    assert "Award batches to approve" in page and "Approve award batches" in page
    assert (
        "Award batches to approve" not in as_user("focal.benguet").get("/admin/").content.decode()
    )
    assert "Award batches to approve" not in as_user("epsa.abra").get("/admin/").content.decode()


def test_the_dashboard_asks_to_issue_an_approved_batch(as_user, batch, user_named):
    from credentials import services

    services.approve_batch(user_named("epsa.benguet"), batch)
    page = as_user("focal.benguet").get("/admin/").content.decode()
    assert "Award batches to issue" in page


def test_ratings_in_the_future_are_refused(as_user, achievement, benguet_learners):
    client = as_user("epsa.benguet")
    url = reverse("credentials:assess", args=[benguet_learners[1].pk, achievement.slug])
    future = date.today().replace(year=date.today().year + 1).isoformat()
    response = client.post(url, rating_form(achievement, 4, future))
    assert response.status_code == 400
    assert not Assessment.objects.filter(learner=benguet_learners[1]).exists()
