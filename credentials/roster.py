"""The awardees list of a recognition day: read it, preview every row against the learner
registry, and confirm it into an award batch.

The list is a `.csv` or `.xlsx` with the columns `LRN, Last Name, First Name, Middle Name, Name
Extension, Sex, Birthdate, Narrative` (any order; headers match whatever their case, spacing and
punctuation; Middle Name, Name Extension and Narrative may be left out). It is read by the
snapshots' bounded readers (`snapshots.readers`: the type from the bytes, never the name; limits
on size, rows, unpacked parts and time) and its cells are cleaned by the AF forms' columns
(`snapshots.forms_spec.Column`), so an LRN, a sex or a birthdate is accepted here exactly as in an
AF upload.

`preview` sorts every row into one of four kinds:

- **matched**: the LRN is in the registry (an LRN merged away finds the surviving learner) and the
  name agrees with it, compared on `learners.search_keys.fold_name` (case, accents, spacing);
- **differing**: the LRN is known but the name is not the registry's: the person confirms which
  name is printed (the registry's or the file's) or fixes the file;
- **new**: the LRN is in no record: the learner is registered on confirmation, with enrolment's
  rules (`learners.services.create_learner`) and its near-duplicate search
  (`learners.services.near_duplicates`); a near duplicate needs an explicit confirmation;
- **refused**, with the reasons: a cell breaks its column's rule, the LRN is twice in the file,
  the learner is held by another division, the birthdate is not the registry's...

`confirm` writes everything in one transaction (the new learners, then
`credentials.services.prepare_batch`), and only when no row is refused and every differing row and
near duplicate has its decision. Nothing is written before.
"""

import dataclasses
import datetime
import io
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from guard.text import invalid_character_message, is_unsafe
from learners import services as learner_services
from learners import vocab
from learners.models import Learner, LearnerAccessLog, LearnerAlias
from learners.search_keys import fold_name
from snapshots.forms_spec import CellError, Column, normalise_header
from snapshots.readers import DATE1904_OFFSET, Limits, UnreadableFile, read_rows, sniff

from . import services

MATCHED = "matched"
DIFFERING = "differing"
NEW = "new"
REFUSED = "refused"
KINDS = (MATCHED, DIFFERING, NEW, REFUSED)
KIND_LABELS = {
    MATCHED: gettext_lazy("Matched"),
    DIFFERING: gettext_lazy("Name differs"),
    NEW: gettext_lazy("New learner"),
    REFUSED: gettext_lazy("Refused"),
}

#: Decisions on a differing row: print the registry's name, or the file's.
KEEP_REGISTRY = "registry"
PRINT_FILE = "file"
#: The decision on a new row with near duplicates: register the learner all the same.
REGISTER_NEW = "new"

#: Rows above the header (titles, blank lines) that are skipped while looking for it.
HEADER_SEARCH_ROWS = 20
#: Columns read from each row: the eight of the list and a few unknown ones beside them.
READ_WIDTH = 30


def max_bytes():
    """The largest awardees list accepted (CREDENTIALS_ROSTER_MAX_BYTES, default 2 MiB: a list
    of 450 learners is about 40 KB)."""
    return getattr(settings, "CREDENTIALS_ROSTER_MAX_BYTES", 2 * 1024 * 1024)


def max_rows():
    """The most learner rows one list may hold (CREDENTIALS_ROSTER_MAX_ROWS, default 2,000)."""
    return getattr(settings, "CREDENTIALS_ROSTER_MAX_ROWS", 2000)


def time_limit():
    """Seconds a read may take before it is refused (CREDENTIALS_ROSTER_TIME_LIMIT, default 30):
    the list is read during the request."""
    return getattr(settings, "CREDENTIALS_ROSTER_TIME_LIMIT", 30)


def _columns():
    """The list's columns, fresh for each read (a Column caches the values it cleaned)."""
    return {
        "lrn": Column("LRN", "lrn", "lrn", True),
        "last_name": Column("Last Name", "last_name", required=True, max_length=100),
        "first_name": Column("First Name", "first_name", required=True, max_length=100),
        "middle_name": Column("Middle Name", "middle_name", max_length=100),
        "name_extension": Column("Name Extension", "name_extension", max_length=10),
        "sex": Column("Sex", "sex", "choice", True, vocabulary=vocab.Sex),
        "birthdate": Column("Birthdate", "birthdate", "date", True),
        "narrative": Column("Narrative", "narrative", max_length=2000),
    }


#: The header texts each column is known by, compared without case, spaces or punctuation.
HEADER_NAMES = {
    "lrn": ("LRN", "Learner Reference Number", "Learner Reference Number (LRN)"),
    "last_name": ("Last Name", "Surname", "Family Name"),
    "first_name": ("First Name", "Given Name"),
    "middle_name": ("Middle Name",),
    "name_extension": ("Name Extension", "Extension", "Ext", "Suffix"),
    "sex": ("Sex",),
    "birthdate": ("Birthdate", "Date of Birth"),
    "narrative": ("Narrative", "Evidence"),
}
REQUIRED_COLUMNS = ("lrn", "last_name", "first_name", "sex", "birthdate")
HEADERS = (
    "LRN",
    "Last Name",
    "First Name",
    "Middle Name",
    "Name Extension",
    "Sex",
    "Birthdate",
    "Narrative",
)


def _header_key(text):
    return normalise_header(text).replace(" ", "")


_KEY_OF_HEADER = {_header_key(name): key for key, names in HEADER_NAMES.items() for name in names}


@dataclass
class FileRow:
    """One learner row of the file: its cleaned values and the problems of its cells."""

    number: int
    lrn: str = ""
    last_name: str = ""
    first_name: str = ""
    middle_name: str = ""
    name_extension: str = ""
    sex: str = ""
    birthdate: object = None  # datetime.date, or None when missing or invalid
    narrative: str = ""
    problems: list = field(default_factory=list)

    @property
    def printed_name(self):
        return printed_name(self.first_name, self.middle_name, self.last_name, self.name_extension)

    @property
    def full_name(self):
        """Last, First Middle Ext. as the forms print it."""
        given = " ".join(p for p in (self.first_name, self.middle_name, self.name_extension) if p)
        return f"{self.last_name}, {given}" if self.last_name else given


def printed_name(first, middle, last, extension):
    """A name as a certificate prints it: "Juan Santos Dela Cruz Jr."."""
    return " ".join(part for part in (first, middle, last, extension) if part)


def _find_header(rows):
    """(row number, {column key: index}) of the header row; consumes rows up to it."""
    for number, cells in rows:
        keys = [
            _KEY_OF_HEADER.get(_header_key(cell)) if cell is not None else None for cell in cells
        ]
        if "lrn" in keys and ("last_name" in keys or "first_name" in keys):
            positions = {}
            for index, key in enumerate(keys):
                if key is None:
                    continue
                if key in positions:
                    raise UnreadableFile(
                        _("The header row (row %(row)s) has the column %(header)s twice.")
                        % {"row": number, "header": HEADER_NAMES[key][0]}
                    )
                positions[key] = index
            missing = [HEADER_NAMES[key][0] for key in REQUIRED_COLUMNS if key not in positions]
            if missing:
                raise UnreadableFile(
                    _("The header row (row %(row)s) lacks the column(s): %(columns)s.")
                    % {"row": number, "columns": ", ".join(missing)}
                )
            return number, positions
        if number >= HEADER_SEARCH_ROWS:
            break
    raise UnreadableFile(
        _("No header row found; the list needs the columns %(columns)s.")
        % {"columns": ", ".join(HEADERS)}
    )


def read_roster(fileobj, name=""):
    """The learner rows of an awardees list (a binary file object), as `FileRow`s.

    The type is read from the bytes (`name` is only what the person called the file). Raises
    `snapshots.readers.UnreadableFile`, with a message naming the problem, when the file is too
    big, not a .csv or .xlsx, damaged, has no header row, has more rows than allowed, or takes
    too long to read. Problems of single cells are kept on their row (`FileRow.problems`).
    """
    fileobj.seek(0, io.SEEK_END)
    size = fileobj.tell()
    fileobj.seek(0)
    if size > max_bytes():
        raise UnreadableFile(
            _(
                "The file is %(size)s bytes; an awardees list may be at most %(limit)s bytes. "
                "Split it into several batches."
            )
            % {"size": f"{size:,}", "limit": f"{max_bytes():,}"}
        )
    kind = sniff(fileobj)
    limit = max_rows()
    seconds = time_limit()
    limits = dataclasses.replace(
        Limits.from_settings(READ_WIDTH),
        max_rows=limit,
        time_limit=seconds,
        deadline=time.monotonic() + seconds,
    )
    info = {}
    rows = read_rows(fileobj, kind, limits, info)
    _header_row, positions = _find_header(rows)
    columns = _columns()
    result = []
    for number, cells in rows:
        if not any(cell not in (None, "") for cell in cells):
            continue
        if len(result) >= limit:
            raise UnreadableFile(
                _(
                    "The file has more than %(limit)s learner rows, the limit; split it into batches."
                )
                % {"limit": f"{limit:,}"}
            )
        limits.check_time()
        row = FileRow(number)
        for key, index in positions.items():
            raw = cells[index] if index < len(cells) else None
            column = columns[key]
            if is_unsafe(raw):
                row.problems.append(f"{column.header}: {invalid_character_message()}")
                continue
            if key == "birthdate" and info.get("date1904") and type(raw) in (int, float):
                raw += DATE1904_OFFSET
            try:
                value = column.clean(raw)
            except CellError as error:
                row.problems.append(f"{column.header}: {error}")
                continue
            if value is None:
                continue
            if key == "birthdate":
                value = datetime.date.fromisoformat(value)
            setattr(row, key, value)
        result.append(row)
    if not result:
        raise UnreadableFile(_("The file has a header row but no learner rows."))
    return result


@dataclass
class RosterRow:
    """One row of the preview: the file's row, its kind, and what the person must see or decide.

    `learner` is the registry's learner for matched and differing rows (the survivor when the LRN
    was merged away: `merged_lrn` is then the LRN the file gave); `near_duplicates` are the
    `learners.services.Match`es of a new row, each with whether the user may see it
    (`(match, in_scope)` pairs); `reasons` say why a row is refused.
    """

    row: FileRow
    kind: str
    learner: Learner | None = None
    merged_lrn: str = ""
    near_duplicates: list = field(default_factory=list)
    reasons: list = field(default_factory=list)

    @property
    def number(self):
        return self.row.number

    @property
    def kind_label(self):
        return KIND_LABELS[self.kind]

    @property
    def registry_name(self):
        learner = self.learner
        if learner is None:
            return ""
        return printed_name(
            learner.first_name, learner.middle_name, learner.last_name, learner.name_extension
        )

    @property
    def file_name(self):
        return self.row.printed_name

    @property
    def needs_decision(self):
        """Whether confirming needs the person's decision on this row."""
        return self.kind == DIFFERING or (self.kind == NEW and bool(self.near_duplicates))

    def name_as_printed(self, decision=None):
        """The name the certificate will print, given the person's decision on the row."""
        if self.kind == DIFFERING and decision == PRINT_FILE:
            return self.file_name
        if self.learner is not None:
            return self.registry_name
        return self.file_name


def _same_name(row, learner):
    pairs = (
        (row.last_name, learner.last_name),
        (row.first_name, learner.first_name),
        (row.middle_name, learner.middle_name),
        (row.name_extension, learner.name_extension),
    )
    return all(fold_name(a) == fold_name(b) for a, b in pairs)


def _registry(lrns):
    """{LRN: (surviving learner, merged LRN or "")} for the LRNs in the registry, in 2 queries."""
    found = {
        learner.lrn: (learner, "")
        for learner in Learner.objects.filter(lrn__in=lrns).select_related("division")
    }
    aliases = LearnerAlias.objects.filter(lrn__in=[lrn for lrn in lrns if lrn not in found])
    for alias in aliases.select_related("learner__division"):
        found[alias.lrn] = (alias.learner, alias.lrn)
    return found


def may_register_in(user, division):
    """Whether the user may register new learners for `division` (enrolment's roles and scope);
    `None`, the operator at the command line, may."""
    if user is None:
        return True
    if not learner_services.may_enrol(user):
        return False
    return user.is_superuser or division.pk in learner_services.enrolment_division_ids(user)


def preview(rows, division, user, *, today=None):
    """The `RosterRow` of every file row for a batch of `division` prepared by `user`.

    Reads the registry only; writes nothing but the access log (the names of the registry's
    learners the preview shows). `user` None is the operator at the command line, who sees every
    near duplicate.
    """
    today = today or timezone.localdate()
    registry = _registry([row.lrn for row in rows if row.lrn])
    may_register = may_register_in(user, division)
    minimum_age = learner_services.minimum_attendance_age()
    seen = {}  # surviving learner pk, or an unknown LRN -> (first row number, its LRN)
    result = []
    for row in rows:
        reasons = list(row.problems)
        learner, merged_lrn = registry.get(row.lrn, (None, "")) if row.lrn else (None, "")
        key = learner.pk if learner is not None else row.lrn
        if key:
            if key in seen:
                first, first_lrn = seen[key]
                if first_lrn == row.lrn:
                    reasons.append(
                        _("Duplicate LRN: already on row %(row)s of this file.") % {"row": first}
                    )
                else:
                    reasons.append(
                        _(
                            "The same learner as on row %(row)s: one of the two LRNs was merged "
                            "into the other."
                        )
                        % {"row": first}
                    )
            else:
                seen[key] = (row.number, row.lrn)
        if learner is not None:
            if learner.division_id is not None and learner.division_id != division.pk:
                reasons.append(
                    _(
                        "This learner belongs to another division; their division (or the "
                        "region) must transfer them first."
                    )
                )
                result.append(RosterRow(row, REFUSED, reasons=reasons))
                continue
            if row.birthdate is not None and row.birthdate != learner.birthdate:
                reasons.append(
                    _("The birthdate is not the registry's for this LRN; check the LRN.")
                )
            if reasons:
                result.append(RosterRow(row, REFUSED, reasons=reasons))
                continue
            kind = MATCHED if _same_name(row, learner) else DIFFERING
            result.append(RosterRow(row, kind, learner=learner, merged_lrn=merged_lrn))
            continue
        # Not in the registry: a new learner, registered with enrolment's rules.
        if row.lrn and not reasons:
            if not may_register:
                reasons.append(
                    _("This LRN is not in the registry, and you may not register learners here.")
                )
            reasons.extend(_registration_problems(row, today, minimum_age))
        if reasons:
            result.append(RosterRow(row, REFUSED, reasons=reasons))
            continue
        matches = learner_services.near_duplicates(row.last_name, row.first_name, row.birthdate)
        visible = (
            {m.learner.pk for m in matches}
            if user is None
            else set(
                learner_services.learners_visible_to(user)
                .filter(pk__in=[m.learner.pk for m in matches])
                .values_list("pk", flat=True)
            )
        )
        result.append(
            RosterRow(
                row,
                NEW,
                near_duplicates=[(m, m.learner.pk in visible) for m in matches],
            )
        )
    _log_shown(user, result, division)
    return result


def _learner_data(row, division):
    return {
        "lrn": row.lrn,
        "last_name": row.last_name,
        "first_name": row.first_name,
        "middle_name": row.middle_name,
        "name_extension": row.name_extension,
        "sex": row.sex,
        "birthdate": row.birthdate,
        # Registered for the batch's division, whose staff then see the record (as the first
        # enrolment would have made it theirs).
        "division": division,
    }


def _registration_problems(row, today, minimum_age):
    """Why a new learner could not be registered: the learner model's own validation (as the
    enrolment's New Record form), a future birthdate, an age below ALS's youngest."""
    problems = []
    learner = Learner(**_learner_data(row, None))
    try:
        learner.full_clean(exclude=["division", "lrn"])
    except ValidationError as error:
        for messages in error.message_dict.values():
            problems.extend(messages)
    if row.birthdate is not None and row.birthdate <= today and not problems:
        age = learner.age_on(today)
        if age < minimum_age:
            problems.append(
                _("The learner would be %(age)s years old; ALS starts at %(min)s.")
                % {"age": age, "min": minimum_age}
            )
    return problems


def _log_shown(user, result, division):
    """Log that the registry's learners of these rows were shown (LRN and name)."""
    shown = [r.learner for r in result if r.learner is not None]
    shown += [m.learner for r in result for m, in_scope in r.near_duplicates if in_scope]
    if not shown or user is None or not user.is_authenticated:
        return
    learner_services.log_shown(
        user, shown, ["lrn", "name"], LearnerAccessLog.Channel.ADMIN, division=division
    )


def counts(rows):
    """{kind: number of rows} for every kind, in KINDS order."""
    found = dict.fromkeys(KINDS, 0)
    for row in rows:
        found[row.kind] += 1
    return found


class RosterRefused(ValueError):
    """The list cannot be confirmed as it is; `problems` are (row number, message) pairs."""

    def __init__(self, message, problems=()):
        super().__init__(message)
        self.message = message
        self.problems = list(problems)


def check_decisions(rows, decisions):
    """The (row number, message) of every row that blocks confirmation: refused rows, differing
    rows without a valid choice, near duplicates not confirmed as new learners."""
    problems = []
    for row in rows:
        decision = decisions.get(row.number)
        if row.kind == REFUSED:
            problems.append((row.number, "; ".join(str(r) for r in row.reasons)))
        elif row.kind == DIFFERING and decision not in (KEEP_REGISTRY, PRINT_FILE):
            problems.append(
                (row.number, _("Choose which name to print: the registry's or the file's."))
            )
        elif row.kind == NEW and row.near_duplicates and decision != REGISTER_NEW:
            problems.append(
                (
                    row.number,
                    _("Confirm that this is a different person from the near matches shown."),
                )
            )
    return problems


def confirm(
    user,
    *,
    division,
    achievements,
    ceremony_date,
    venue,
    signatories,
    rows,
    decisions,
    source_name="",
    channel=LearnerAccessLog.Channel.ADMIN,
):
    """Register the new learners and prepare the award batch, in one transaction.

    `rows` is a fresh `preview` of the list; `decisions` maps row numbers to KEEP_REGISTRY or
    PRINT_FILE (differing rows) and REGISTER_NEW (new rows with near duplicates). Raises
    `RosterRefused` (nothing written) while any row is refused or undecided; a failure anywhere
    after (an LRN registered meanwhile, the batch refused by `credentials.services`) rolls every
    write back.
    """
    problems = check_decisions(rows, decisions)
    if problems:
        raise RosterRefused(
            ngettext(
                "%(count)s row blocks the confirmation; nothing was saved.",
                "%(count)s rows block the confirmation; nothing was saved.",
                len(problems),
            )
            % {"count": len(problems)},
            problems,
        )
    if not rows:
        raise RosterRefused(_("The list has no learners."))
    with transaction.atomic():
        members = []
        for row in rows:
            learner = row.learner
            if row.kind == NEW:
                try:
                    learner = learner_services.create_learner(
                        _learner_data(row.row, division), user=user, channel=channel
                    )
                except ValidationError as error:
                    raise RosterRefused(
                        _("Row %(row)s could not be registered; nothing was saved.")
                        % {"row": row.number},
                        [(row.number, "; ".join(error.messages))],
                    ) from None
            members.append(
                (learner, row.name_as_printed(decisions.get(row.number)), row.row.narrative)
            )
        return services.prepare_batch(
            user,
            division=division,
            achievements=achievements,
            ceremony_date=ceremony_date,
            venue=venue,
            signatories=signatories,
            members=members,
            source_name=source_name[:255],
        )
