"""The controlled vocabularies of DO 58 s. 2017 (learners.vocab)."""

from learners import vocab


def test_vocabularies_match_do_58():
    # DepEd's 19 major languages are all there, with the Cordillera's and "Other (specify)".
    codes = {code for code, _label in vocab.MOTHER_TONGUES}
    assert len(vocab.DEPED_MOTHER_TONGUES) == 19 and set(vocab.DEPED_MOTHER_TONGUES) <= codes
    assert dict(vocab.MOTHER_TONGUES)["iloko"] == "Iloko (Ilokano)"
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


def test_mother_tongues_cover_the_cordillera_and_other_comes_last():
    labels = [label for _code, label in vocab.MOTHER_TONGUES]
    for language in (
        "Kankanaey",
        "Ibaloi",
        "Kalinga",
        "Ifugao – Tuwali",
        "Ifugao – Ayangan",
        "Kalanguya (Ikalahan)",
        "Itneg",
        "Isnag",
        "Bontok",
        "Iloko (Ilokano)",
        "Filipino",
        "English",
    ):
        assert language in labels
    assert labels[-1] == "Other (specify)"
    assert labels[:-1] == sorted(labels[:-1], key=str.casefold)
    # What people type in a spreadsheet: the usual spellings of the Cordillera's languages.
    assert vocab.parse(vocab.MotherTongue, "Kankana-ey") == "kankanaey"
    assert vocab.parse(vocab.MotherTongue, "Ibaloy") == "ibaloi"
    assert vocab.parse(vocab.MotherTongue, "Tuwali") == "ifugao_tuwali"
    assert vocab.parse(vocab.MotherTongue, "Isneg") == "isnag"
    assert vocab.parse(vocab.MotherTongue, "Tingguian") == "itneg"
    assert vocab.parse(vocab.MotherTongue, "Filipino") == "filipino"


def test_other_specified_is_read_from_the_usual_spellings():
    for text in ("Other: Bago", "Other (specify): Bago", "other - Bago", "Other (Bago)"):
        assert vocab.specified_other(text) == "Bago"
    for text in ("Other", "Other (specify)", "Other:", "Kankanaey", ""):
        assert vocab.specified_other(text) is None
