"""Sensitive fields are ciphertext in the database, rotate to a new key, and stay out of logs."""

import json
from datetime import date

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from learners.crypto import decrypt_text, encrypted_fields
from learners.models import Learner

pytestmark = pytest.mark.django_db

SENSITIVE = {
    "civil_status": "married",
    "religion": "Iglesia ni Cristo",
    "ethnic_group": "Kankanaey",
    "disability": "Visually impaired",
    "is_4ps_beneficiary": True,
    "mothers_maiden_name": "Dulnuan, Rosario",
    "contact_number": "09171234567",
    "address": {"street": "Purok 7", "barangay": "Ambiong", "municipality": "La Trinidad"},
    "birthplace": "Kapangan",
}
PLAINTEXTS = [
    "married",
    "Iglesia",
    "Kankanaey",
    "Visually",
    "Dulnuan",
    "09171234567",
    "Purok 7",
    "Ambiong",
    "Kapangan",
    "true",
]


def raw_row(pk):
    columns = ", ".join(connection.ops.quote_name(f) for f in Learner.SENSITIVE_FIELDS)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM learners_learner WHERE id = %s", [pk])
        return dict(zip(Learner.SENSITIVE_FIELDS, cursor.fetchone(), strict=True))


@pytest.fixture
def learner(make_learner):
    return make_learner("136512250001", "Dela Cruz", "Juan", date(2006, 3, 14), **SENSITIVE)


def test_raw_columns_hold_no_plaintext(learner):
    raw = raw_row(learner.pk)
    dump = json.dumps(raw)
    for text in PLAINTEXTS:
        assert text not in dump
    assert all(value.startswith("fernet:") for value in raw.values())
    fresh = Learner.objects.get(pk=learner.pk)
    assert {f: getattr(fresh, f) for f in SENSITIVE} == SENSITIVE


def test_every_sensitive_field_is_an_encrypted_column():
    encrypted = {f.name for model, f in encrypted_fields() if model is Learner}
    assert set(Learner.SENSITIVE_FIELDS) <= encrypted


def test_encrypted_fields_cannot_be_searched(learner):
    with pytest.raises(TypeError):
        Learner.objects.filter(religion="Iglesia ni Cristo")
    with pytest.raises(TypeError):
        Learner.objects.filter(address__icontains="Ambiong")


def test_str_and_repr_show_only_lrn_and_name(learner):
    assert str(learner) == "136512250001 Dela Cruz, Juan"
    assert repr(learner) == "<Learner 136512250001 Dela Cruz, Juan>"


def test_learner_is_not_in_a_search_index():
    from wagtail.search import index

    assert not issubclass(Learner, index.Indexed)


def test_rotate_learner_keys(learner, settings, capsys):
    old_key = settings.LEARNER_DATA_KEYS[0]
    new_key = Fernet.generate_key().decode()
    before = raw_row(learner.pk)
    with override_settings(LEARNER_DATA_KEYS=[new_key, old_key]):
        # The old key, second in the list, still decrypts.
        assert Learner.objects.get(pk=learner.pk).religion == "Iglesia ni Cristo"
        call_command("rotate_learner_keys")
    assert "learners.Learner.religion: 1 value(s) re-encrypted" in capsys.readouterr().out
    after = raw_row(learner.pk)
    assert all(after[f] != before[f] for f in Learner.SENSITIVE_FIELDS)
    with override_settings(LEARNER_DATA_KEYS=[new_key]):
        assert decrypt_text(after["religion"]) == "Iglesia ni Cristo"
        assert json.loads(decrypt_text(after["address"])) == SENSITIVE["address"]
        fresh = Learner.objects.get(pk=learner.pk)
        assert {f: getattr(fresh, f) for f in SENSITIVE} == SENSITIVE


def test_admin_log_entries_carry_no_sensitive_value(client, user_named, cycles, benguet_clc):
    from wagtail.models import ModelLogEntry

    from learners import services

    user = user_named("epsa.benguet")
    data = dict(
        lrn="136512260101",
        last_name="Carantes",
        first_name="Lorna",
        sex="F",
        birthdate=date(2001, 5, 9),
        **SENSITIVE,
    )
    learner = services.create_learner(data, user=user, channel="admin")
    learner.religion = "Roman Catholic"
    services.update_learner(learner, ["religion"], user=user, channel="admin")
    entries = ModelLogEntry.objects.filter(object_id=str(learner.pk))
    dump = json.dumps([[e.label, e.data] for e in entries])
    assert "Carantes" in dump
    for text in [*PLAINTEXTS, "Roman Catholic"]:
        assert text not in dump
