"""The DO 58 data-element rules, cell by cell and row by row."""

import datetime

import pytest

from learners import vocab
from snapshots import forms_spec
from snapshots.forms_spec import CellError

TODAY = datetime.date(2026, 11, 23)
REF = datetime.date(2026, 12, 31)


def col(form, key):
    return next(c for c in forms_spec.columns(form) if c.key == key)


def test_every_form_has_unique_keys_and_headers():
    for form, cols in forms_spec.FORMS.items():
        keys = [c.key for c in cols]
        assert len(keys) == len(set(keys)), form
        assert len(forms_spec.headers(form)) == len(set(forms_spec.headers(form))), form
    assert forms_spec.headers("AF3")[:7] == [
        "Region",
        "Division",
        "District",
        "Calendar Year",
        "Type of CLC",
        "Name of CLC",
        "Learner Reference Number (LRN)",
    ]


@pytest.mark.parametrize(
    "value", ["12345678901", "1234567890123", "12345678901a", "1234 5678 9012"]
)
def test_lrn_must_be_exactly_twelve_digits(value):
    with pytest.raises(CellError, match="12 digits"):
        col("AF3", "lrn").clean(value)


def test_lrn_accepts_twelve_digits_also_from_a_numeric_cell():
    assert col("AF3", "lrn").clean("136512345678") == "136512345678"
    assert col("AF3", "lrn").clean(136512345678) == "136512345678"


@pytest.mark.parametrize(
    "key,low,high",
    [
        ("pis_score", 1, 11),
        ("literacy_non", 1, 30),
        ("literacy_neo", 31, 74),
        ("literacy_post", 75, 99),
        ("flt_reading", 1, 24),
        ("flt_numeracy", 1, 24),
        ("flt_writing", 1, 8),
        ("flt_listening", 1, 12),
        ("flt_overall", 1, 79),
    ],
)
def test_score_ranges(key, low, high):
    column = col("AF3", key)
    assert column.clean(str(low)) == low
    assert column.clean(str(high)) == high
    for bad in (low - 1, high + 1):
        with pytest.raises(CellError, match=f"from {low} to {high}"):
            column.clean(str(bad))
    with pytest.raises(CellError, match="whole number"):
        column.clean(f"{low}.5")


def test_enumerations_follow_learners_vocab():
    assert len(vocab.DEPED_MOTHER_TONGUES) == 19
    tongue = col("AF1", "mother_tongue")
    assert tongue.clean("Ilocano") == "iloko"
    assert tongue.clean("Kankana-ey") == "kankanaey"
    with pytest.raises(CellError, match="Not one of the allowed values"):
        tongue.clean("Klingon")
    # "Other (specify)" in one cell: "Other: <name>", printed back as the form says it.
    assert tongue.clean("Other: Bago") == "other:Bago"
    assert tongue.display("other:Bago") == "Other (specify): Bago"
    assert tongue.clean(tongue.display("other:Bago")) == "other:Bago"
    with pytest.raises(CellError, match="Name it"):
        tongue.clean("Other")
    assert col("AF3", "sex").clean("female") == "F"
    assert col("AF3", "program").clean("A&E Secondary") == "AE_JHS"
    with pytest.raises(CellError):
        col("AF3", "program").clean("ALS-SHS")  # not an AF3 program
    assert col("AF3", "delivery_mode").clean("face to face") == "F2F"
    assert col("AF3", "clc_type").clean("Type 4") == 4
    with pytest.raises(CellError):
        col("AF3", "clc_type").clean("6")
    assert col("AF1", "reason_not_attending").clean("High cost of education") == "high_cost"
    with pytest.raises(CellError):
        col("AF1", "reason_not_attending").clean("Bored")


def test_dates_in_the_usual_spellings_and_excel_serials():
    birth = col("AF3", "birthdate")
    assert birth.clean("2001-02-03") == "2001-02-03"
    assert birth.clean("02/03/2001") == "2001-02-03"  # Month/Day/Year as DO 58 prints it
    assert birth.clean(36925) == "2001-02-03"
    with pytest.raises(CellError, match="Not a date"):
        birth.clean("31/31/2001")
    with pytest.raises(CellError, match="required"):
        birth.clean("")


def values(**kw):
    base = dict(
        birthdate="2000-01-01",
        age=26,
        first_attendance="2026-02-01",
        flt_reading=10,
        flt_numeracy=10,
        flt_writing=5,
        flt_listening=6,
        flt_overall=31,
        literacy_non=None,
        literacy_neo=40,
        literacy_post=None,
    )
    base.update(kw)
    return base


def check(form="AF3", **kw):
    return forms_spec.check_row(form, values(**kw), today=TODAY, reference_date=REF)


def test_a_valid_row_has_no_problems():
    assert check() == []


def test_flt_overall_must_equal_the_sum_of_its_parts():
    assert check(flt_overall=30) == [
        ("flt_overall", "Overall Score must equal the sum of the four FLT scores (31).")
    ]


def test_flt_scores_come_together():
    problems = check(flt_writing=None)
    assert problems and problems[0][0] == "flt_writing"


def test_only_one_literacy_level_column():
    assert check(literacy_non=20)[0][0] == "literacy_neo"


def test_age_must_match_birthdate_and_dates_are_plausible():
    assert check(age=40)[0][0] == "age"
    assert check(birthdate="2027-01-01", age=None)[0] == (
        "birthdate",
        "Birthdate is in the future.",
    )
    assert check(first_attendance="2026-12-01")[0][0] == "first_attendance"


def test_ae_minimum_age_and_exam_after_registration():
    row = {
        "birthdate": "2016-01-01",
        "ae_level": "AE_ELEM",
        "date_registered": "2026-03-01",
        "date_examination": "2026-02-01",
    }
    keys = [k for k, _m in forms_spec.check_row("AF4", row, today=TODAY, reference_date=REF)]
    assert keys == ["date_examination", "ae_level"]


def test_ae_status_uses_the_pass_mark_and_conditional_band():
    assert forms_spec.ae_status(60) == "passed"
    assert forms_spec.ae_status(59.99) == "conditional"
    assert forms_spec.ae_status(50) == "conditional"
    assert forms_spec.ae_status(49.99) == "failed"
    assert forms_spec.ae_status(None) == ""
