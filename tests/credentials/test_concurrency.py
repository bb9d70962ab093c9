"""Two people act on one batch or award at the same moment: exactly one wins, the other gets a
clear refusal; never two sets of awards, a code or status index twice, or two log entries (real
threads with their own connections, on PostgreSQL with row locks and on SQLite with IMMEDIATE
transactions that queue for the one write lock)."""

import pytest
from django.test import Client
from django.urls import reverse
from wagtail.models import ModelLogEntry

from credentials.models import Award, AwardBatch, AwardState, BatchState
from credentials.services import CredentialError, approve_batch, issue_batch, revoke_award
from tests.concurrency import at_once

pytestmark = pytest.mark.django_db(transaction=True)


def as_users(work, usernames, django_user_model):
    """`work(user, wait)` for each user at once (tests.concurrency.at_once): {username: result}."""
    return at_once(
        lambda username, wait: work(django_user_model.objects.get(username=username), wait),
        usernames,
    )


def actions_logged(instance, action):
    return ModelLogEntry.objects.for_instance(instance).filter(action=action).count()


@pytest.fixture
def approved(batch, user_named):
    """The three-learner batch, prepared by focal.benguet and approved by epsa.benguet."""
    return approve_batch(user_named("epsa.benguet"), batch)


@pytest.fixture
def issued(approved, user_named):
    issue_batch(user_named("focal.benguet"), approved)
    return AwardBatch.objects.get(pk=approved.pk)


def test_two_people_issuing_one_batch_at_once_make_one_set_of_awards(approved, django_user_model):
    def issue(user, wait):
        seen = AwardBatch.objects.get(pk=approved.pk)
        assert seen.state == BatchState.APPROVED
        wait()
        return issue_batch(user, seen)

    results = as_users(issue, ["epsa.benguet", "focal.benguet"], django_user_model)

    winners = [name for name, result in results.items() if isinstance(result, list)]
    losers = [result for result in results.values() if not isinstance(result, list)]
    assert len(winners) == 1 and len(losers) == 1, results
    assert isinstance(losers[0], CredentialError), losers[0]
    assert losers[0].status_code == 409
    assert "is issued; that is not possible now." in losers[0].message
    awards = Award.objects.filter(batch=approved)
    assert awards.count() == 3 and len(results[winners[0]]) == 3
    assert awards.values("code").distinct().count() == 3
    assert awards.values("status_index").distinct().count() == 3
    batch = AwardBatch.objects.get(pk=approved.pk)
    assert batch.state == BatchState.ISSUED
    assert actions_logged(batch, "credentials.issue") == 1
    assert all(actions_logged(award, "credentials.issue") == 1 for award in awards)


def test_two_people_revoking_one_award_at_once_revoke_it_once(issued, django_user_model):
    award_pk = Award.objects.get(batch=issued, name_as_printed="Maria Bagtang").pk
    reasons = {"epsa.benguet": "Assessed twice.", "als.region": "Wrong learner."}

    def revoke(user, wait):
        seen = Award.objects.get(pk=award_pk)
        assert seen.state == AwardState.VALID
        wait()
        return revoke_award(user, seen, reasons[user.username])

    results = as_users(revoke, list(reasons), django_user_model)

    winners = [name for name, result in results.items() if isinstance(result, Award)]
    losers = [result for result in results.values() if not isinstance(result, Award)]
    assert len(winners) == 1 and len(losers) == 1, results
    assert isinstance(losers[0], CredentialError), losers[0]
    assert losers[0].status_code == 409
    assert losers[0].message == (
        "Communication — Maria Bagtang is revoked; that is not possible now."
    )
    award = Award.objects.get(pk=award_pk)
    assert award.state == AwardState.REVOKED
    assert award.revoke_reason == reasons[winners[0]]
    assert actions_logged(award, "credentials.revoke") == 1


def test_the_second_revoke_on_the_staff_page_says_it_is_revoked_already(issued, django_user_model):
    """Both pages showed the award valid; both press Revoke at once. The second person is
    brought to the award as it is now, revoked, with the reason their revoke was refused (not a
    permission error, nor the page as it was)."""
    award = Award.objects.get(batch=issued, name_as_printed="Maria Bagtang")
    url = reverse("credentials:award", args=[award.pk])
    clients = {}
    for username in ("epsa.benguet", "als.region"):
        clients[username] = Client()
        clients[username].force_login(django_user_model.objects.get(username=username))
        page = clients[username].get(url).content.decode()
        assert 'data-action="revoke"' in page

    def press_revoke(user, wait):
        wait()
        return clients[user.username].post(url, {"action": "revoke", "reason": user.username})

    responses = as_users(press_revoke, list(clients), django_user_model)

    assert [response.status_code for response in responses.values()] == [302, 302]
    assert {response["Location"] for response in responses.values()} == {url}
    award.refresh_from_db()
    assert award.state == AwardState.REVOKED
    winner = award.revoke_reason
    loser = next(name for name in clients if name != winner)
    assert actions_logged(award, "credentials.revoke") == 1
    shown = clients[loser].get(url)
    text = shown.content.decode()
    assert 'data-state="revoked"' in text and 'data-action="revoke"' not in text
    messages = [str(message) for message in shown.context["messages"]]
    assert messages == ["Communication — Maria Bagtang is revoked; that is not possible now."]
