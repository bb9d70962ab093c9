"""`manage.py issue_credentials`: a CSV to issued awards in one go, or nothing at all."""

import io

import pytest
from django.core.management import CommandError, call_command

from credentials import codes
from credentials.models import Award, AwardBatch, BatchState
from learners.models import Learner

pytestmark = pytest.mark.django_db

HEADER = "LRN,Last Name,First Name,Middle Name,Name Extension,Sex,Birthdate,Narrative\n"


def write_csv(tmp_path, lines):
    path = tmp_path / "awardees.csv"
    path.write_text(HEADER + "".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def run(path, *extra):
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "issue_credentials",
        "--achievement",
        "test-communication",
        "--division",
        "benguet",
        "--date",
        "2025-12-19",
        "--venue",
        "La Trinidad Municipal Gym",
        "--signatory",
        "Juana Santos|Schools Division Superintendent",
        *extra,
        str(path),
        stdout=out,
        stderr=err,
    )
    return out.getvalue(), err.getvalue()


def test_a_clean_list_is_issued_and_the_codes_printed(tmp_path, achievement, benguet_learners):
    maria, pedro, _ana = benguet_learners
    path = write_csv(
        tmp_path,
        [
            "136512259001,Bagtang,Maria,,,F,2004-05-01,Led the clean-up drive",
            "136512259002,Dalisay,Pedro,,,F,2004-05-01,Organised the reading club",
            "136512259099,Lumbaya,Rosa,,,F,2003-08-09,Mentored new learners",
        ],
    )
    out, _err = run(path, "--pdf", str(tmp_path / "out.pdf"))
    batch = AwardBatch.objects.get()
    assert batch.state == BatchState.ISSUED
    assert batch.prepared_by is None and batch.approved_by is None  # the operator
    assert batch.signatories == [
        {"name": "Juana Santos", "position": "Schools Division Superintendent"}
    ]
    awards = list(Award.objects.filter(batch=batch).order_by("name_as_printed"))
    assert [a.name_as_printed for a in awards] == ["Maria Bagtang", "Pedro Dalisay", "Rosa Lumbaya"]
    assert Learner.objects.filter(lrn="136512259099", division=batch.division).exists()
    assert f"Batch {batch.pk}: 3 micro-credential(s) issued." in out
    for award in awards:
        assert codes.display(award.code) in out
    assert awards[0].evidence == "Led the clean-up drive"
    assert (tmp_path / "out.pdf").read_bytes().startswith(b"%PDF")


def test_any_refused_row_refuses_the_whole_file(tmp_path, achievement, benguet_learners):
    path = write_csv(
        tmp_path,
        [
            "136512259001,Bagtang,Maria,,,F,2004-05-01,Led the clean-up drive",
            "136512259002,Dalisay,Pedro,,,X,2004-05-01,Organised the reading club",
            "136512259099,Lumbaya,Rosa,,,F,2003-08-09,Mentored new learners",
        ],
    )
    with pytest.raises(CommandError, match="refused; nothing was saved"):
        run(path)
    assert not AwardBatch.objects.exists()
    assert not Learner.objects.filter(lrn="136512259099").exists()


def test_the_refused_rows_are_printed(tmp_path, achievement, benguet_learners):
    path = write_csv(tmp_path, ["136512259002,Dalisay,Pedro,,,X,2004-05-01,Narrative"])
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "issue_credentials",
            "--achievement=test-communication",
            "--division=benguet",
            "--date=2025-12-19",
            str(path),
            stdout=io.StringIO(),
            stderr=err,
        )
    assert err.getvalue().startswith("Row 2:")


def test_a_member_without_evidence_leaves_nothing_behind(tmp_path, achievement, benguet_learners):
    path = write_csv(
        tmp_path,
        [
            "136512259001,Bagtang,Maria,,,F,2004-05-01,Led the clean-up drive",
            "136512259099,Lumbaya,Rosa,,,F,2003-08-09,",
        ],
    )
    with pytest.raises(CommandError, match="Rosa Lumbaya has neither assessments"):
        run(path)
    assert not AwardBatch.objects.exists()
    assert not Learner.objects.filter(lrn="136512259099").exists()


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--division", "nowhere", "No division"),
        ("--achievement", "nothing", "No micro-credential"),
        ("--date", "19/12/2025", "YYYY-MM-DD"),
        ("--signatory", "Juana Santos", "Name|Position"),
    ],
)
def test_bad_options_are_refused(tmp_path, achievement, option, value, message):
    path = write_csv(tmp_path, ["136512259001,Bagtang,Maria,,,F,2004-05-01,Narrative"])
    arguments = {
        "--achievement": "test-communication",
        "--division": "benguet",
        "--date": "2025-12-19",
        option: value,
    }
    with pytest.raises(CommandError, match=message):
        call_command(
            "issue_credentials",
            *[f"{key}={val}" for key, val in arguments.items()],
            str(path),
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
