"""Unpublishing a resource page in the Wagtail page editor is the workflow's withdrawal."""

import pytest
from django.urls import reverse

from cms.models import ResourcePage
from tests.journeys import approved_lr
from workflow.models import State
from workflow.services import perform_transition


@pytest.fixture
def published_through_workflow(user_named):
    submission = approved_lr(user_named, "Counting Coffee Cherries")
    perform_transition(user_named("als.region"), submission, "publish")
    return submission


@pytest.mark.django_db
def test_unpublishing_in_the_page_editor_withdraws_the_submission(
    published_through_workflow, user_named, client
):
    submission = published_through_workflow
    page = ResourcePage.objects.get(submission=submission)
    staff = user_named("als.region")
    client.force_login(staff)

    response = client.post(reverse("wagtailadmin_pages:unpublish", args=[page.pk]))

    assert response.status_code == 302
    page.refresh_from_db()
    submission.journey.refresh_from_db()
    assert not page.live
    assert submission.journey.state == State.WITHDRAWN
    record = submission.history.order_by("-at", "-pk").first()
    assert (record.name, record.actor, record.comment) == (
        "withdraw",
        staff,
        "Unpublished in the page editor.",
    )
    assert client.get(page.url).status_code == 404


@pytest.mark.django_db
def test_someone_who_may_not_withdraw_cannot_unpublish_the_page(
    published_through_workflow, django_user_model, client
):
    submission = published_through_workflow
    page = ResourcePage.objects.get(submission=submission)
    # A web editor whose Wagtail group may publish (and so unpublish) pages under Resources,
    # but who holds no ALS role in the workflow.
    from django.contrib.auth.models import Group, Permission
    from wagtail.models import GroupPagePermission

    from cms.models import ResourcesIndexPage

    editors = Group.objects.create(name="Web editors")
    editors.permissions.add(Permission.objects.get(codename="access_admin"))
    for codename in ("change_page", "publish_page"):
        GroupPagePermission.objects.create(
            group=editors,
            page=ResourcesIndexPage.objects.get(),
            permission=Permission.objects.get(
                content_type__app_label="wagtailcore", codename=codename
            ),
        )
    editor = django_user_model.objects.create_user("web.editor", "web@example.com", "x")
    editor.groups.add(editors)
    assert page.permissions_for_user(editor).can_unpublish()
    client.force_login(editor)

    response = client.post(reverse("wagtailadmin_pages:unpublish", args=[page.pk]), follow=True)

    assert "can only be taken off the public site by someone who may withdraw" in (
        response.content.decode()
    )
    page.refresh_from_db()
    submission.journey.refresh_from_db()
    assert page.live
    assert submission.journey.state == State.PUBLISHED
