"""The official column layout of AF1–AF5 (DepEd Order 58 s. 2017, Enclosure 2) and its validators.

Each form is an ordered list of `Column`s: the header text printed on the form, a stable key, a type
and whether the data element is required. `Column.clean(raw)` turns one cell into the stored value or
raises `CellError` with a message a facilitator can act on. Row-level rules (FLT overall equals the
sum of its parts, one literacy level per learner, age matches birthdate, dates in order) live in
`check_row`. Enumerations come from `learners.vocab`, so the enrolment form and the snapshots accept
the same values.
"""

import datetime
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from learners import vocab

LRN_RE = re.compile(r"^\d{12}$")
EXCEL_EPOCH = datetime.date(1899, 12, 30)
DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y", "%m-%d-%Y", "%B %d, %Y", "%b %d, %Y")
YES = {"y", "yes", "oo", "true", "1", "x", "✓"}
NO = {"n", "no", "hindi", "false", "0"}


class CellError(ValueError):
    """A cell's value breaks the form's rule; the message says which rule."""


# Types of cell value whose cleaned value a column remembers (not bool: True == 1).
CACHED_TYPES = frozenset({str, int, float, type(None)})


def _text(raw):
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    return str(raw).strip()


@dataclass
class Column:
    """One data element of a form, in the order the official spreadsheet prints it."""

    header: str
    key: str
    kind: str = "text"
    required: bool = False
    max_length: int = 200
    min_value: float | None = None
    max_value: float | None = None
    vocabulary: type | None = None
    allowed: tuple = ()
    help: str = ""
    # A choice that also takes "Other: <name>" (stored as "other:<name>", vocab.OTHER_PREFIX).
    other: bool = False
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    def describe(self):
        """What the template's second sheet tells the facilitator about this column."""
        parts = ["Required" if self.required else "Optional"]
        if self.kind == "lrn":
            parts.append("12 digits")
        elif self.kind == "date":
            parts.append("date, YYYY-MM-DD or MM/DD/YYYY")
        elif self.kind in ("int", "decimal") and self.min_value is not None:
            parts.append(f"number {self.min_value:g}–{self.max_value:g}")
        elif self.kind == "year":
            parts.append("year, e.g. 2026")
        elif self.kind == "yesno":
            parts.append("Yes or No")
        elif self.kind == "choice":
            parts.append("one of: " + "; ".join(str(label) for _v, label in self.choices()))
            if self.other:
                parts.append('for another, write "Other: " and its name, e.g. "Other: Bago"')
        if self.help:
            parts.append(self.help)
        return ". ".join(parts)

    def choices(self):
        values = self.vocabulary.choices
        if self.allowed:
            values = [(v, label) for v, label in values if v in self.allowed]
        return values

    def clean(self, raw):
        """The stored value of one cell (None when blank), or CellError."""
        if self.kind == "text" and type(raw) is str:
            # The common case, kept short: most cells of a form are free text.
            text = raw.strip()
            if text and len(text) <= self.max_length:
                return text
        cache = self._cache
        if type(raw) in CACHED_TYPES and raw in cache:
            # Small value sets (scores, codes, dates) repeat across thousands of rows.
            return cache[raw]
        value = self._clean(raw)
        # Blank cells too; not free text or LRNs, which hardly repeat. An .xlsx gives numbers
        # (scores, date serials) and None for blank cells where a .csv gives text.
        if len(cache) < 50_000 and (
            raw is None
            or raw == ""
            or (type(raw) in CACHED_TYPES and self.kind not in ("text", "lrn"))
        ):
            cache[raw] = value
        return value

    def _clean(self, raw):
        text = raw.strip() if isinstance(raw, str) else _text(raw)
        if text == "":
            if self.required:
                raise CellError(_("%(header)s is required.") % {"header": self.header})
            return None
        kind = self.kind
        if kind == "text":
            if len(text) > self.max_length:
                raise CellError(_("Longer than %(limit)s characters.") % {"limit": self.max_length})
            return text
        if kind == "lrn":
            if text.endswith(".0"):
                text = text[:-2]
            if not LRN_RE.match(text):
                raise CellError(_("An LRN is exactly 12 digits."))
            return text
        if kind in ("int", "clc_type", "year"):
            return self._number(text, raw, integral=True)
        if kind == "decimal":
            return self._number(text.rstrip("%").strip(), raw, integral=False)
        if kind == "date":
            return self._date(text, raw)
        if kind == "choice":
            return self._choice(text)
        if kind == "yesno":
            folded = text.lower()
            if folded in YES:
                return True
            if folded in NO:
                return False
            raise CellError(_("Write Yes or No."))
        raise AssertionError(kind)

    def _number(self, text, raw, *, integral):
        if self.kind == "clc_type" and text.lower().startswith("type"):
            text = text[4:].strip()
        try:
            number = float(text) if not isinstance(raw, int | float) else float(raw)
        except ValueError:
            raise CellError(_("Not a number.")) from None
        if integral:
            if not number.is_integer():
                raise CellError(_("Must be a whole number."))
            number = int(number)
        else:
            number = round(number, 2)
        if self.min_value is not None and not (self.min_value <= number <= self.max_value):
            raise CellError(
                _("Must be from %(min)s to %(max)s.")
                % {"min": f"{self.min_value:g}", "max": f"{self.max_value:g}"}
            )
        return number

    def _date(self, text, raw):
        if isinstance(raw, int | float) and not isinstance(raw, bool):
            # A spreadsheet date cell arrives as its serial number (days since 1899-12-30).
            if not 1 <= raw < 2958466:
                raise CellError(_("Not a date."))
            return (EXCEL_EPOCH + datetime.timedelta(days=int(raw))).isoformat()
        if len(text) == 10 and text[4] == "-":
            try:
                parsed = datetime.date.fromisoformat(text)
            except ValueError:
                parsed = None
            if parsed is not None and parsed.year >= 1900:
                return text
        value = text[:10] if re.match(r"^\d{4}-\d{2}-\d{2}[ T]00:00(:00)?$", text) else text
        for fmt in DATE_FORMATS:
            try:
                parsed = datetime.datetime.strptime(value, fmt).date()
            except ValueError:
                continue
            if parsed.year < 1900:
                raise CellError(_("A date before 1900 is not plausible."))
            return parsed.isoformat()
        raise CellError(_("Not a date; write YYYY-MM-DD or MM/DD/YYYY."))

    def _choice(self, text):
        if self.other:
            name = vocab.specified_other(text)
            if name is not None:
                if len(name) > 100:
                    raise CellError(_("Longer than %(limit)s characters.") % {"limit": 100})
                return vocab.OTHER_PREFIX + name
        code = vocab.parse(self.vocabulary, text)
        if self.other and code == "other":
            raise CellError(_('Name it: write "Other: " and its name, e.g. "Other: Bago".'))
        if code is None or (self.allowed and code not in self.allowed):
            options = "; ".join(str(label) for _v, label in self.choices())
            raise CellError(
                _("Not one of the allowed values (%(options)s).") % {"options": options}
            )
        return code

    def display(self, value):
        """A stored value as the form prints it (labels for codes, Yes/No, dates as ISO)."""
        if value is None:
            return ""
        if self.kind == "choice":
            if self.other and str(value).startswith(vocab.OTHER_PREFIX):
                label = dict(self.vocabulary.choices).get("other", "Other")
                return f"{label}: {value[len(vocab.OTHER_PREFIX) :]}"
            return dict(self.vocabulary.choices).get(value, value)
        if self.kind == "yesno":
            return "Yes" if value else "No"
        return value


def _c(header, key, kind="text", required=False, **kwargs):
    return Column(header, key, kind, required, **kwargs)


def _unit_columns(year=True):
    cols = [
        _c("Region", "region", required=True),
        _c("Division", "division", required=True),
        _c("District", "district", required=True),
    ]
    if year:
        cols.append(
            _c("Calendar Year", "calendar_year", "year", True, min_value=2000, max_value=2100)
        )
    return cols


def _name_columns():
    return [
        _c("Last Name", "last_name", required=True, max_length=100),
        _c("First Name", "first_name", required=True, max_length=100),
        _c("Middle Name", "middle_name", max_length=100),
        _c("Name Extension", "name_extension", max_length=10),
    ]


SEX = _c("Sex", "sex", "choice", True, vocabulary=vocab.Sex)
BIRTHDATE = _c("Birthdate", "birthdate", "date", True)
AGE = _c("Age", "age", "int", min_value=0, max_value=120)
LRN = _c("Learner Reference Number (LRN)", "lrn", "lrn", True)
CLC_TYPE = _c("Type of CLC", "clc_type", "clc_type", True, min_value=1, max_value=5)
MOTHER_TONGUE = _c(
    "Mother Tongue", "mother_tongue", "choice", vocabulary=vocab.MotherTongue, other=True
)
AE_PROGRAMS = (vocab.Program.AE_ELEMENTARY, vocab.Program.AE_SECONDARY)
AF3_PROGRAMS = (vocab.Program.BLP, *AE_PROGRAMS)


def _assessment_columns():
    """PIS, literacy level (one score in the learner's level column) and the FLT scores."""
    return [
        _c("PIS Score", "pis_score", "int", min_value=1, max_value=11),
        _c("Non-literate", "literacy_non", "int", min_value=1, max_value=30),
        _c("Neo-literate", "literacy_neo", "int", min_value=31, max_value=74),
        _c("Post-literate", "literacy_post", "int", min_value=75, max_value=99),
        _c("FLT Score in Reading", "flt_reading", "int", min_value=1, max_value=24),
        _c("FLT Score in Numeracy", "flt_numeracy", "int", min_value=1, max_value=24),
        _c("FLT Score in Writing", "flt_writing", "int", min_value=1, max_value=8),
        _c(
            "FLT Score in Listening & Speaking",
            "flt_listening",
            "int",
            min_value=1,
            max_value=12,
        ),
        _c("Overall Score", "flt_overall", "int", min_value=1, max_value=79),
    ]


AF1 = [
    *_unit_columns(),
    *_name_columns(),
    SEX,
    BIRTHDATE,
    AGE,
    MOTHER_TONGUE,
    _c("IP (Ethnic Group)", "ethnic_group", max_length=100),
    _c("Religion", "religion", max_length=100),
    _c("Learner's Complete Home Address", "address", max_length=300),
    _c("Name of Father", "father_name"),
    _c("Name of Mother (Maiden Name)", "mother_maiden_name"),
    _c("Name of Guardian", "guardian_name"),
    _c("Occupation of Parent/Guardian", "occupation", max_length=100),
    _c("Last Grade/Year Completed at School", "last_grade_completed", max_length=50),
    _c(
        "Reason for Not Attending School",
        "reason_not_attending",
        "choice",
        vocabulary=vocab.NotAttendingReason,
    ),
    _c("Distance from Home to CLC (km)", "distance_km", "decimal", min_value=0, max_value=500),
    _c("Travel Time from Home to CLC", "travel_time", max_length=50),
    _c("How Do You Get from Home to the CLC", "travel_means", max_length=100),
    _c("When Can You Attend Learning Sessions", "session_time", max_length=100),
]

AF2 = [
    _c("Learner Reference Number (LRN)", "lrn", "lrn", help="if already assigned by LIS"),
    *_name_columns(),
    _c("Learner's Address", "address", max_length=300),
    _c("Place of Birth (Municipality)", "birthplace", max_length=100),
    SEX,
    BIRTHDATE,
    _c("Civil Status", "civil_status", "choice", vocabulary=vocab.CivilStatus),
    _c("Religion", "religion", max_length=100),
    MOTHER_TONGUE,
    _c("IP (Ethnic Group)", "ethnic_group", max_length=100),
    _c("PWD (if applicable)", "disability", max_length=100),
    _c("Mother's Maiden Name", "mother_maiden_name"),
    _c("Contact Number of Learner", "contact_number", max_length=30),
    _c("Last Grade/Year Completed at School", "last_grade_completed", max_length=50),
    _c("Date Mapped", "date_mapped", "date"),
    _c("Interested in ALS (Yes/No)", "interested", "yesno", True),
    _c("Date of First Attendance", "first_attendance", "date"),
    _c("Remark", "remarks", max_length=300),
]

AF3 = [
    *_unit_columns(),
    CLC_TYPE,
    _c("Name of CLC", "clc_name", required=True),
    LRN,
    *_name_columns(),
    SEX,
    BIRTHDATE,
    AGE,
    _c("First Date of Attendance", "first_attendance", "date", True),
    *_assessment_columns(),
    _c(
        "Type of Program",
        "program",
        "choice",
        True,
        vocabulary=vocab.Program,
        allowed=AF3_PROGRAMS,
    ),
    _c("Mode of Program Delivery", "delivery_mode", "choice", True, vocabulary=vocab.DeliveryMode),
    _c("4Ps Beneficiary (Yes/No)", "four_ps", "yesno"),
    _c("Remarks", "remarks", max_length=300),
]

AF4 = [
    *_unit_columns(),
    LRN,
    *_name_columns(),
    SEX,
    BIRTHDATE,
    _c("Name of CLC", "clc_name", required=True),
    CLC_TYPE,
    _c("CLC Municipality", "clc_municipality", max_length=100),
    _c("CLC Barangay", "clc_barangay", max_length=100),
    _c(
        "A&E Test Level Registered",
        "ae_level",
        "choice",
        True,
        vocabulary=vocab.Program,
        allowed=AE_PROGRAMS,
    ),
    _c("Date Registered", "date_registered", "date", True),
    _c("Date of Examination", "date_examination", "date"),
    _c("Actual Taker (Yes/No)", "ae_taker", "yesno"),
]

AF5 = [
    *_unit_columns(year=False),
    LRN,
    *_name_columns(),
    SEX,
    _c("Calendar Year", "calendar_year", "year", True, min_value=2000, max_value=2100),
    CLC_TYPE,
    _c(
        "Program Enrolled",
        "program",
        "choice",
        True,
        vocabulary=vocab.Program,
        allowed=AF3_PROGRAMS,
    ),
    _c("Delivery Mode", "delivery_mode", "choice", vocabulary=vocab.DeliveryMode),
    _c("Learner's Address", "address", max_length=300),
    _c("Name of Facilitator", "facilitator_name"),
    *_assessment_columns(),
    _c("Remarks (NC/COC Received)", "remarks", max_length=300),
    _c("Test Taken", "ae_level", "choice", vocabulary=vocab.Program, allowed=AE_PROGRAMS),
    _c("Date of Examination", "date_examination", "date"),
    _c("Testing Center", "testing_center"),
    _c("Location of Testing Center", "testing_center_location"),
    _c(
        "A&E Test Result (%)",
        "ae_result",
        "decimal",
        min_value=0,
        max_value=100,
        help="pass mark 60, conditional pass 50–59.99",
    ),
    _c("Eligible for Admission to", "eligible_for", max_length=100),
    _c("EPS-ALS", "eps_als"),
    _c("Facilitator (Prepared by)", "prepared_by"),
    _c("Certificate of Transfer", "certificate_of_transfer", max_length=100),
    _c("Certificate of Good Moral Character (Yes/No)", "good_moral", "yesno"),
]

FORMS = {"AF1": AF1, "AF2": AF2, "AF3": AF3, "AF4": AF4, "AF5": AF5}
TITLES = {
    "AF1": "ALS Form 1 – List of Mapped and Potential Learners",
    "AF2": "ALS Form 2 – Enrolment Form",
    "AF3": "ALS Form 3 – Master List of Enrolled Learners and End of Program Assessment",
    "AF4": "ALS Form 4 – Master List of A&E Registrants",
    "AF5": "ALS Form 5 – Learner's Permanent Record",
}
FLT_PARTS = ("flt_reading", "flt_numeracy", "flt_writing", "flt_listening")
FLT_ALL = (*FLT_PARTS, "flt_overall")
LITERACY_COLUMNS = {
    "literacy_non": vocab.LiteracyLevel.NON_LITERATE,
    "literacy_neo": vocab.LiteracyLevel.NEO_LITERATE,
    "literacy_post": vocab.LiteracyLevel.POST_LITERATE,
}
# The A&E test's pass mark and conditional band, in per cent of the perfect score.
AE_PASS_MARK = 60
AE_CONDITIONAL_MARK = 50
# Minimum ages at the A&E examination (Elementary 12, Junior High School 16).
AE_MINIMUM_AGE = {vocab.Program.AE_ELEMENTARY: 12, vocab.Program.AE_SECONDARY: 16}


def columns(form):
    """The ordered columns of a form code ("AF3"); KeyError for anything else."""
    return FORMS[form]


def headers(form):
    return [column.header for column in FORMS[form]]


def normalise_header(text):
    return re.sub(r"[^a-z0-9&%]+", " ", str(text or "").lower()).strip()


def age_on(birthdate, day):
    """Whole years between an ISO birthdate and a date."""
    born = datetime.date.fromisoformat(birthdate)
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def check_row(form, values, *, today, reference_date):
    """Row-level rules across columns; returns [(column key, message)] for every broken rule.

    `values` maps column keys to cleaned values (None for blank or invalid cells).
    """
    problems = []
    birthdate = values.get("birthdate")
    if birthdate:
        if birthdate > today.isoformat():
            problems.append(("birthdate", _("Birthdate is in the future.")))
        elif values.get("age") is not None:
            expected = age_on(birthdate, reference_date)
            if abs(expected - values["age"]) > 1:
                problems.append(
                    (
                        "age",
                        _("Age does not match the birthdate (about %(age)s at %(date)s).")
                        % {"age": expected, "date": reference_date.isoformat()},
                    )
                )
    first = values.get("first_attendance")
    if first:
        if first > today.isoformat():
            problems.append(("first_attendance", _("First date of attendance is in the future.")))
        elif birthdate and first <= birthdate:
            problems.append(("first_attendance", _("First date of attendance is before birth.")))
    if form in ("AF3", "AF5"):
        filled = [key for key in LITERACY_COLUMNS if values.get(key) is not None]
        if len(filled) > 1:
            problems.append(
                (
                    filled[1],
                    _("Write the literacy score in one level column only (non, neo or post)."),
                )
            )
        present = [key for key in FLT_ALL if values.get(key) is not None]
        if present and len(present) < len(FLT_ALL):
            missing = [key for key in FLT_ALL if key not in present]
            problems.append(
                (
                    missing[0],
                    _(
                        "FLT scores come together: reading, numeracy, writing, listening & "
                        "speaking and overall."
                    ),
                )
            )
        elif present:
            total = sum(values[key] for key in FLT_PARTS)
            if total != values["flt_overall"]:
                problems.append(
                    (
                        "flt_overall",
                        _("Overall Score must equal the sum of the four FLT scores (%(total)s).")
                        % {"total": total},
                    )
                )
    if form == "AF4":
        registered, examined = values.get("date_registered"), values.get("date_examination")
        if registered and examined and examined < registered:
            problems.append(("date_examination", _("Date of examination is before registration.")))
        if registered and registered > today.isoformat():
            problems.append(("date_registered", _("Date registered is in the future.")))
        level = values.get("ae_level")
        if birthdate and level in AE_MINIMUM_AGE:
            on = datetime.date.fromisoformat(examined or registered or today.isoformat())
            minimum = AE_MINIMUM_AGE[level]
            if age_on(birthdate, on) < minimum:
                problems.append(
                    (
                        "ae_level",
                        _("A learner must be at least %(age)s to take this A&E test.")
                        % {"age": minimum},
                    )
                )
        if values.get("ae_taker") and not examined:
            problems.append(
                ("date_examination", _("An actual taker needs the date of examination."))
            )
    if form == "AF5" and values.get("ae_result") is not None and not values.get("ae_level"):
        problems.append(("ae_level", _("A&E Test Result needs the test taken.")))
    return problems


def ae_status(result):
    """passed / conditional / failed for an A&E result in per cent; "" when there is none."""
    if result is None:
        return ""
    if result >= AE_PASS_MARK:
        return "passed"
    if result >= AE_CONDITIONAL_MARK:
        return "conditional"
    return "failed"


def literacy_level(values):
    for key, level in LITERACY_COLUMNS.items():
        if values.get(key) is not None:
            return str(level)
    return ""


def age_band(age):
    if age is None:
        return ""
    for upper, band in ((14, "0-14"), (17, "15-17"), (24, "18-24"), (34, "25-34"), (49, "35-49")):
        if age <= upper:
            return band
    return "50+"
