"""The controlled vocabularies of DO 58 s. 2017 (learners.vocab)."""

from learners import vocab


def test_vocabularies_match_do_58():
    assert len(vocab.MOTHER_TONGUES) == 19
    assert dict(vocab.MOTHER_TONGUES)["iloko"] == "Iloko"
    assert [label for _v, label in vocab.SEX] == ["Male", "Female"]
    assert len(vocab.PROGRAMS) == 4
    assert [label for _v, label in vocab.DELIVERY_MODES] == [
        "Face to Face",
        "Independent Learning",
        "RBI",
        "CBI",
    ]
    assert len(vocab.AF1_REASONS) == 9
    assert [v for v, _l in vocab.CIVIL_STATUS] == ["single", "married", "separated", "widowed"]
    assert len(vocab.LITERACY_LEVELS) == 3


def test_parse_accepts_codes_labels_and_variants():
    assert vocab.parse(vocab.Sex, " female ") == "F"
    assert vocab.parse(vocab.MotherTongue, "Ilocano") == "iloko"
    assert vocab.parse(vocab.MotherTongue, "KINARAY-A") == "kinaray-a"
    assert vocab.parse(vocab.Program, "A&E Secondary") == "AE_JHS"
    assert vocab.parse(vocab.Program, "Basic Literacy Program (BLP)") == "BLP"
    assert vocab.parse(vocab.DeliveryMode, "face-to-face") == "F2F"
    assert vocab.parse(vocab.NotAttendingReason, "Employment/ Looking for work") == "employment"
    assert vocab.parse(vocab.CivilStatus, "Widow") == "widowed"
    assert vocab.parse(vocab.MotherTongue, "Klingon") is None
    assert vocab.parse(vocab.Sex, "") is None


def test_literacy_level_for_score():
    assert vocab.literacy_level_for(1) == vocab.LiteracyLevel.NON_LITERATE
    assert vocab.literacy_level_for(30) == vocab.LiteracyLevel.NON_LITERATE
    assert vocab.literacy_level_for(31) == vocab.LiteracyLevel.NEO_LITERATE
    assert vocab.literacy_level_for(99) == vocab.LiteracyLevel.POST_LITERATE
    assert vocab.literacy_level_for(0) is None
    assert vocab.literacy_level_for(100) is None
