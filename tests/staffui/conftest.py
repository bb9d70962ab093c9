import pytest
from django.conf import settings

from repository.forms import SubmissionForm
from tests.api.factories import LR_PAYLOAD


def form_data(payload=None, **changes):
    """LR_PAYLOAD as the admin form posts it: vocabulary terms by id, lists as repeated keys."""
    payload = {**(payload or LR_PAYLOAD), **changes}
    form = SubmissionForm()
    data = {}
    for name, value in payload.items():
        field = form.fields[name]
        queryset = getattr(field, "queryset", None)
        if queryset is not None:
            model = queryset.model
            if isinstance(value, list):
                data[name] = [model.objects.get(code=code).pk for code in value]
            else:
                data[name] = model.objects.get(code=value).pk
        else:
            data[name] = value
    return data


@pytest.fixture
def login(client, demo):
    """`login("epsa.benguet")` logs the test client into the admin as that demo user."""

    def as_user(username):
        client.logout()
        assert client.login(username=username, password=settings.DEMO_PASSWORD)
        return client

    return as_user
