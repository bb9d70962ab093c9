"""Controlled vocabularies of the ALS forms (DepEd Order 58 s. 2017, Enclosure 2).

Each vocabulary is a Django ``TextChoices`` class (usable as ``choices=`` on a model field) and an
upper-case list of ``(value, label)`` pairs with the names other apps import (``SEX``,
``MOTHER_TONGUES``, ``PROGRAMS``, ``DELIVERY_MODES``, ``LITERACY_LEVELS``, ``AF1_REASONS``,
``CIVIL_STATUS``). Stored values are short stable codes; labels are what the forms print.

``parse(vocabulary, text)`` maps what people type in a spreadsheet cell (the code, the label, or a
common variant, in any case and with or without accents) to the code, or ``None`` when it is not
one of the allowed values.
"""

import re
import unicodedata

from django.db import models


class Sex(models.TextChoices):
    """Learner's sex as on the PSA birth certificate (AF1–AF5)."""

    MALE = "M", "Male"
    FEMALE = "F", "Female"


class MotherTongue(models.TextChoices):
    """Mother tongues: the Cordillera's languages, Filipino and English, the 19 major languages
    identified by DepEd (DO 16 s. 2012, DO 28 s. 2013), and "Other (specify)", whose name is
    written in ``Learner.mother_tongue_other``. In alphabetical order, "Other" last: the order
    the enrolment form lists them in."""

    AKLANON = "aklanon", "Aklanon"
    BALANGAO = "balangao", "Balangao"
    BIKOL = "bikol", "Bikol"
    BONTOK = "bontok", "Bontok"
    CEBUANO = "cebuano", "Cebuano"
    CHABACANO = "chabacano", "Chabacano"
    ENGLISH = "english", "English"
    FILIPINO = "filipino", "Filipino"
    HILIGAYNON = "hiligaynon", "Hiligaynon"
    IBALOI = "ibaloi", "Ibaloi"
    IFUGAO = "ifugao", "Ifugao (variety not stated)"
    IFUGAO_AMGANAD = "ifugao_amganad", "Ifugao – Amganad"
    IFUGAO_AYANGAN = "ifugao_ayangan", "Ifugao – Ayangan"
    IFUGAO_BATAD = "ifugao_batad", "Ifugao – Batad"
    IFUGAO_MAYOYAO = "ifugao_mayoyao", "Ifugao – Mayoyao"
    IFUGAO_TUWALI = "ifugao_tuwali", "Ifugao – Tuwali"
    ILOKO = "iloko", "Iloko (Ilokano)"
    ISNAG = "isnag", "Isnag"
    ITNEG = "itneg", "Itneg"
    IVATAN = "ivatan", "Ivatan"
    KALANGUYA = "kalanguya", "Kalanguya (Ikalahan)"
    KALINGA = "kalinga", "Kalinga"
    KANKANAEY = "kankanaey", "Kankanaey"
    KAPAMPANGAN = "kapampangan", "Kapampangan"
    KARAO = "karao", "Karao"
    KINARAY_A = "kinaray-a", "Kinaray-a"
    MAGUINDANAOAN = "maguindanaoan", "Maguindanaoan"
    MARANAO = "maranao", "Maranao"
    PANGASINENSE = "pangasinense", "Pangasinense"
    SAMA = "sama", "Sama"
    SURIGAONON = "surigaonon", "Surigaonon"
    TAGALOG = "tagalog", "Tagalog"
    TAUSUG = "tausug", "Tausug"
    WARAY = "waray", "Waray"
    YAKAN = "yakan", "Yakan"
    YBANAG = "ybanag", "Ybanag"
    OTHER = "other", "Other (specify)"


#: The 19 major languages identified by DepEd (DO 16 s. 2012, DO 28 s. 2013).
DEPED_MOTHER_TONGUES = (
    MotherTongue.TAGALOG,
    MotherTongue.KAPAMPANGAN,
    MotherTongue.PANGASINENSE,
    MotherTongue.ILOKO,
    MotherTongue.BIKOL,
    MotherTongue.CEBUANO,
    MotherTongue.HILIGAYNON,
    MotherTongue.WARAY,
    MotherTongue.TAUSUG,
    MotherTongue.MAGUINDANAOAN,
    MotherTongue.MARANAO,
    MotherTongue.CHABACANO,
    MotherTongue.YBANAG,
    MotherTongue.IVATAN,
    MotherTongue.SAMA,
    MotherTongue.AKLANON,
    MotherTongue.KINARAY_A,
    MotherTongue.YAKAN,
    MotherTongue.SURIGAONON,
)


class Program(models.TextChoices):
    """ALS programs. AF3 lists the first three; ALS-SHS is the senior high school program."""

    BLP = "BLP", "Basic Literacy Program (BLP)"
    AE_ELEMENTARY = "AE_ELEM", "A&E Elementary"
    AE_SECONDARY = "AE_JHS", "A&E Secondary (JHS)"
    ALS_SHS = "ALS_SHS", "ALS-SHS"


class DeliveryMode(models.TextChoices):
    """Mode of program delivery (AF3, AF5)."""

    FACE_TO_FACE = "F2F", "Face to Face"
    INDEPENDENT_LEARNING = "IL", "Independent Learning"
    RBI = "RBI", "RBI"
    CBI = "CBI", "CBI"


class LiteracyLevel(models.TextChoices):
    """Literacy level (AF3): the level follows from the assessment score, see ``LITERACY_SCORE_RANGES``."""

    NON_LITERATE = "non", "Non-literate"
    NEO_LITERATE = "neo", "Neo-literate"
    POST_LITERATE = "post", "Post-literate"


class NotAttendingReason(models.TextChoices):
    """Reason for not attending school (AF1), the fixed list of DO 58 Enclosure 2."""

    SCHOOL_FAR = "far", "Schools are very far"
    NO_SCHOOL_IN_BARANGAY = "no_school", "No school within the barangay"
    NO_TRANSPORT = "no_transport", "No regular transportation"
    HIGH_COST = "high_cost", "High cost of education"
    ILLNESS = "illness", "Illness / Disability"
    HOUSEWORK = "housework", "Housekeeping / Housework"
    EMPLOYMENT = "employment", "Employment / Looking for work"
    NO_INTEREST = "no_interest", "Lack of personal interest"
    CANNOT_COPE = "cannot_cope", "Cannot cope with school work"


class CivilStatus(models.TextChoices):
    """Civil status (AF2): Single, Married, Separated or Widow."""

    SINGLE = "single", "Single"
    MARRIED = "married", "Married"
    SEPARATED = "separated", "Separated"
    WIDOWED = "widowed", "Widow/Widower"


SEX = Sex.choices
MOTHER_TONGUES = MotherTongue.choices
PROGRAMS = Program.choices
DELIVERY_MODES = DeliveryMode.choices
LITERACY_LEVELS = LiteracyLevel.choices
AF1_REASONS = NotAttendingReason.choices
CIVIL_STATUS = CivilStatus.choices

#: Score ranges (inclusive) that define each literacy level (DO 58, AF3).
LITERACY_SCORE_RANGES = {
    LiteracyLevel.NON_LITERATE: (1, 30),
    LiteracyLevel.NEO_LITERATE: (31, 74),
    LiteracyLevel.POST_LITERATE: (75, 99),
}

#: Common spellings people type, folded (see ``fold``) → code.
_VARIANTS = {
    Sex: {"male": "M", "m": "M", "female": "F", "f": "F", "lalaki": "M", "babae": "F"},
    MotherTongue: {
        "ilocano": "iloko",
        "ilokano": "iloko",
        "ilokano/iloko": "iloko",
        "iloko": "iloko",
        "bicol": "bikol",
        "bisaya": "cebuano",
        "binisaya": "cebuano",
        "ilonggo": "hiligaynon",
        "waray-waray": "waray",
        "maguindanao": "maguindanaoan",
        "ibanag": "ybanag",
        "kinaray a": "kinaray-a",
        "kinaraya": "kinaray-a",
        "pilipino": "filipino",
        "kankana-ey": "kankanaey",
        "kankanay": "kankanaey",
        "kankanaey/applai": "kankanaey",
        "applai": "kankanaey",
        "ibaloy": "ibaloi",
        "inibaloi": "ibaloi",
        "nabaloi": "ibaloi",
        "ikalahan": "kalanguya",
        "kallahan": "kalanguya",
        "kalanguya": "kalanguya",
        "ifugao": "ifugao",
        "tuwali": "ifugao_tuwali",
        "ifugao tuwali": "ifugao_tuwali",
        "ayangan": "ifugao_ayangan",
        "ifugao ayangan": "ifugao_ayangan",
        "amganad": "ifugao_amganad",
        "ifugao amganad": "ifugao_amganad",
        "batad": "ifugao_batad",
        "ifugao batad": "ifugao_batad",
        "mayoyao": "ifugao_mayoyao",
        "ifugao mayoyao": "ifugao_mayoyao",
        "tinggian": "itneg",
        "tingguian": "itneg",
        "isneg": "isnag",
        "bontoc": "bontok",
        "finontok": "bontok",
        "other": "other",
    },
    Program: {
        "blp": "BLP",
        "basic literacy program": "BLP",
        "basic literacy": "BLP",
        "a&e elementary": "AE_ELEM",
        "a & e elementary": "AE_ELEM",
        "ae elementary": "AE_ELEM",
        "a&e - elementary": "AE_ELEM",
        "accreditation and equivalency program (a&e)- elementary": "AE_ELEM",
        "elementary": "AE_ELEM",
        "a&e secondary": "AE_JHS",
        "a & e secondary": "AE_JHS",
        "ae secondary": "AE_JHS",
        "a&e jhs": "AE_JHS",
        "a&e junior high school": "AE_JHS",
        "a&e - secondary": "AE_JHS",
        "accreditation and equivalency program (a&e) - secondary": "AE_JHS",
        "secondary": "AE_JHS",
        "jhs": "AE_JHS",
        "als shs": "ALS_SHS",
        "shs": "ALS_SHS",
    },
    DeliveryMode: {
        "face to face": "F2F",
        "face-to-face": "F2F",
        "f2f": "F2F",
        "independent learning": "IL",
        "il": "IL",
        "radio-based instruction": "RBI",
        "radio based instruction": "RBI",
        "computer-based instruction": "CBI",
        "computer based instruction": "CBI",
    },
    LiteracyLevel: {
        "non-literate": "non",
        "non literate": "non",
        "nonliterate": "non",
        "neo-literate": "neo",
        "neo literate": "neo",
        "neoliterate": "neo",
        "post-literate": "post",
        "post literate": "post",
        "postliterate": "post",
    },
    NotAttendingReason: {
        "illness/disability": "illness",
        "illness": "illness",
        "disability": "illness",
        "housekeeping/housework": "housework",
        "housekeeping": "housework",
        "housework": "housework",
        "employment/looking for work": "employment",
        "employment": "employment",
        "looking for work": "employment",
    },
    CivilStatus: {
        "widow": "widowed",
        "widower": "widowed",
        "widowed": "widowed",
    },
}


def fold(text):
    """Lower-case, strip accents, collapse whitespace (none around / & -): how typed values compare."""
    text = unicodedata.normalize("NFKD", str(text))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.replace("\u2013", "-").replace("\u2014", "-")
    text = re.sub(r"\s*([/&-])\s*", r"\1", text)
    return re.sub(r"\s+", " ", text).strip().lower()


def parse(vocabulary, text):
    """Return the code of ``vocabulary`` (a TextChoices class) that ``text`` names, or None.

    Accepts the code, the label or a listed variant, ignoring case, accents and extra spaces.
    """
    if text is None:
        return None
    key = fold(text)
    if not key:
        return None
    for value, label in vocabulary.choices:
        if key in (fold(value), fold(label)):
            return value
    variants = {fold(variant): value for variant, value in _VARIANTS.get(vocabulary, {}).items()}
    return variants.get(key)


#: How a spreadsheet cell stores "Other (specify)" with its name: "other:Bago".
OTHER_PREFIX = "other:"
_OTHER_RE = re.compile(
    r"^other\s*(?:\(\s*specify\s*\))?\s*(?:[:\-\u2013\u2014]\s*|\(\s*)(?P<name>[^()]*?)\s*\)?$",
    re.IGNORECASE,
)


def specified_other(text):
    """The name given in "Other: Bago" (or "Other (specify): Bago", "Other - Bago",
    "Other (Bago)"), or None when ``text`` is not written so."""
    match = _OTHER_RE.match(" ".join(str(text or "").split()))
    name = match.group("name") if match else ""
    if not name or name.lower() == "specify":
        return None
    return name


def literacy_level_for(score):
    """The literacy level for an assessment score 1–99, or None when the score is out of range."""
    for level, (low, high) in LITERACY_SCORE_RANGES.items():
        if low <= score <= high:
            return level
    return None
