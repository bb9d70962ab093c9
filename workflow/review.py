"""Review sheets: the LRMDS rating sheet for learning resources, checklists for research and stories.

A review is given as a dict:

- learning resource: ``{"items": {"content_1": 4, ...}, "item_comments": {"content_3": "why"},
  "comment": "overall"}`` — every item of every factor scored 4 to 1; a score below 4 needs an
  item comment. Modules (resource type "module") add the Intellectual Property factor.
- research / success story: ``{"items": {"research_1": true, ...}, "comment": "..."}`` — every
  item answered yes/no; a comment is needed when any answer is no.

`sheet_for(submission)` describes the sheet (for forms); `evaluate(submission, data)` validates it
and computes the outcome, raising `ReviewInvalid` with per-field messages.
"""

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from repository.models import Submission

from .exceptions import ReviewInvalid
from .models import Review


@dataclass(frozen=True)
class Factor:
    key: str
    title: str
    items: list
    modules_only: bool = False


LRMDS_FACTORS = [
    Factor(
        "content",
        gettext_lazy("Factor 1: Content"),
        [
            gettext_lazy("Content is suitable to the learner's level of development."),
            gettext_lazy(
                "Material contributes to the objectives of the learning strand and level it is for."
            ),
            gettext_lazy(
                "Material develops higher cognitive skills (critical thinking, creativity, "
                "inquiry, problem solving)."
            ),
            gettext_lazy(
                "Material is free of ideological, cultural, religious, racial and gender biases."
            ),
            gettext_lazy("Material enhances desirable values and traits."),
            gettext_lazy("Material arouses the interest of the target reader."),
            gettext_lazy(
                "Adequate warnings and cautionary notes are given where safety and health matter."
            ),
        ],
    ),
    Factor(
        "format",
        gettext_lazy("Factor 2: Format"),
        [
            gettext_lazy("Size of letters and spacing suit the intended user and ease reading."),
            gettext_lazy("The font is easy to read and the print quality is good."),
            gettext_lazy("Illustrations are simple, recognisable and culturally relevant."),
            gettext_lazy("Illustrations clarify the text and are labelled or captioned."),
            gettext_lazy("Design and layout are attractive, simple and use space well."),
            gettext_lazy("Paper and binding are durable and support easy reading."),
            gettext_lazy("Size and weight make the resource easy to handle."),
        ],
    ),
    Factor(
        "presentation",
        gettext_lazy("Factor 3: Presentation and Organization"),
        [
            gettext_lazy("Presentation is engaging, interesting and understandable."),
            gettext_lazy("There is a logical and smooth flow of ideas."),
            gettext_lazy("Vocabulary suits the target reader's experience and understanding."),
            gettext_lazy("Sentence length suits the comprehension level of the target reader."),
            gettext_lazy("Sentence and paragraph structures are varied and interesting."),
        ],
    ),
    Factor(
        "accuracy",
        gettext_lazy("Factor 4: Accuracy and Up-to-datedness of Information"),
        [
            gettext_lazy("No conceptual errors."),
            gettext_lazy("No factual errors."),
            gettext_lazy("No grammatical errors."),
            gettext_lazy("No computational errors."),
            gettext_lazy("No obsolete information."),
        ],
    ),
    Factor(
        "ip",
        gettext_lazy("Intellectual Property Rights"),
        [
            gettext_lazy(
                "Third-party text, images and media are used with permission or are public domain."
            ),
            gettext_lazy("Sources and borrowed material are properly cited and acknowledged."),
            gettext_lazy("The copyright notice and the copyright owner are correctly stated."),
            gettext_lazy("The material contains no plagiarised content."),
        ],
        modules_only=True,
    ),
]

CHECKLISTS = {
    Review.Sheet.RESEARCH_CHECKLIST: [
        gettext_lazy("Title, abstract and summary are complete and clear."),
        gettext_lazy("The research problem and objectives are clearly stated."),
        gettext_lazy("The methodology is appropriate and adequately described."),
        gettext_lazy("Findings are supported by the data and conclusions follow from them."),
        gettext_lazy("Sources are cited properly and there is no plagiarism."),
        gettext_lazy("Ethical standards were observed (consent; no identifiable learner data)."),
    ],
    Review.Sheet.STORY_CHECKLIST: [
        gettext_lazy("The story is factual and was verified."),
        gettext_lazy("It shows the learner's journey and what ALS changed."),
        gettext_lazy("Written consent is attached when the learner is named or pictured."),
        gettext_lazy("No sensitive personal information is disclosed (RA 10173)."),
        gettext_lazy("The story is well written and free of errors."),
        gettext_lazy("Photos are appropriate and respectful."),
    ],
}
CHECKLIST_PREFIX = {
    Review.Sheet.RESEARCH_CHECKLIST: "research",
    Review.Sheet.STORY_CHECKLIST: "story",
}

# Pass and conditional-pass scores per factor (items score 4 to 1). A factor below "conditional"
# fails; Accuracy failing always fails the material (DOMAIN.md: it is not recommended).
DEFAULT_LRMDS_THRESHOLDS = {
    "content": {"pass": 21, "conditional": 18},
    "format": {"pass": 21, "conditional": 18},
    "presentation": {"pass": 15, "conditional": 12},
    "accuracy": {"pass": 20, "conditional": 20},
    "ip": {"pass": 16, "conditional": 16},
}


# The factor a material must pass, whatever its other scores (DOMAIN.md: a material that fails
# Accuracy is not recommended). The rating sheet's live outcome in the browser reads it too.
MUST_PASS = "accuracy"


def thresholds():
    """The configured thresholds (setting LRMDS_THRESHOLDS, merged over the defaults)."""
    merged = {key: dict(value) for key, value in DEFAULT_LRMDS_THRESHOLDS.items()}
    for key, value in (getattr(settings, "LRMDS_THRESHOLDS", None) or {}).items():
        merged.setdefault(key, {}).update(value)
    return merged


def sheet_kind(submission):
    return {
        Submission.Kind.LEARNING_RESOURCE: Review.Sheet.LRMDS_RATING,
        Submission.Kind.RESEARCH: Review.Sheet.RESEARCH_CHECKLIST,
        Submission.Kind.SUCCESS_STORY: Review.Sheet.STORY_CHECKLIST,
    }[submission.kind]


def factors_for(submission):
    return [f for f in LRMDS_FACTORS if not f.modules_only or submission.is_module]


def sheet_for(submission):
    """The review sheet of this submission, for building a form:
    {"sheet": ..., "scale": [4, 3, 2, 1] or None, "factors": [{"key", "title", "pass",
    "conditional", "max", "items": [{"key", "label"}]}]} (checklists have one unnamed factor)."""
    kind = sheet_kind(submission)
    if kind == Review.Sheet.LRMDS_RATING:
        limits = thresholds()
        factors = [
            {
                "key": f.key,
                "title": str(f.title),
                "pass": limits[f.key]["pass"],
                "conditional": limits[f.key]["conditional"],
                "max": 4 * len(f.items),
                "items": [
                    {"key": f"{f.key}_{n}", "label": str(label)}
                    for n, label in enumerate(f.items, start=1)
                ],
            }
            for f in factors_for(submission)
        ]
        return {"sheet": kind.value, "scale": [4, 3, 2, 1], "factors": factors}
    prefix = CHECKLIST_PREFIX[kind]
    items = [
        {"key": f"{prefix}_{n}", "label": str(label)}
        for n, label in enumerate(CHECKLISTS[kind], start=1)
    ]
    return {
        "sheet": kind.value,
        "scale": None,
        "factors": [{"key": prefix, "title": str(kind.label), "items": items}],
    }


@dataclass
class Evaluation:
    sheet: str
    answers: dict
    outcome: str
    comment: str


def evaluate(submission, data):
    """Validate a review for this submission and compute its outcome; raises ReviewInvalid."""
    if not isinstance(data, dict):
        raise ReviewInvalid(_("A review is required."), details={"review": [_("Required.")]})
    items = data.get("items")
    if not isinstance(items, dict):
        raise ReviewInvalid(_("The review has no answers."), details={"items": [_("Required.")]})
    comment = str(data.get("comment") or "").strip()
    kind = sheet_kind(submission)
    if kind == Review.Sheet.LRMDS_RATING:
        return _evaluate_rating(submission, items, data.get("item_comments") or {}, comment)
    return _evaluate_checklist(kind, items, comment)


def _evaluate_rating(submission, items, item_comments, comment):
    errors = {}
    if not isinstance(item_comments, dict):
        item_comments = {}
    limits = thresholds()
    scores, comments, factor_results = {}, {}, {}
    for factor in factors_for(submission):
        total = 0
        for n, _label in enumerate(factor.items, start=1):
            key = f"{factor.key}_{n}"
            value = items.get(key)
            if isinstance(value, bool) or not isinstance(value, int | str):
                errors[key] = [_("Score this item from 4 to 1.")]
                continue
            try:
                score = int(value)
            except ValueError:
                errors[key] = [_("Score this item from 4 to 1.")]
                continue
            if score not in (1, 2, 3, 4):
                errors[key] = [_("Score this item from 4 to 1.")]
                continue
            note = str(item_comments.get(key) or "").strip()
            if score < 4 and not note:
                errors[key] = [_("A rating below 4 needs a comment.")]
            scores[key] = score
            if note:
                comments[key] = note
            total += score
        limit = limits[factor.key]
        if total >= limit["pass"]:
            result = Review.Outcome.PASSED
        elif total >= limit["conditional"]:
            result = Review.Outcome.CONDITIONAL_PASS
        else:
            result = Review.Outcome.FAILED
        factor_results[factor.key] = {
            "score": total,
            "max": 4 * len(factor.items),
            "pass": limit["pass"],
            "result": result.value,
        }
    valid = {f"{f.key}_{n}" for f in factors_for(submission) for n in range(1, len(f.items) + 1)}
    unknown = set(items) - valid
    for key in sorted(unknown):
        errors[key] = [_("Not an item of this rating sheet.")]
    if errors:
        raise ReviewInvalid(_("The rating sheet has errors."), details=errors)
    results = {r["result"] for r in factor_results.values()}
    if (
        factor_results[MUST_PASS]["result"] != Review.Outcome.PASSED
        or Review.Outcome.FAILED in results
    ):
        outcome = Review.Outcome.FAILED
    elif Review.Outcome.CONDITIONAL_PASS in results:
        outcome = Review.Outcome.CONDITIONAL_PASS
    else:
        outcome = Review.Outcome.PASSED
    return Evaluation(
        sheet=Review.Sheet.LRMDS_RATING,
        answers={"items": scores, "item_comments": comments, "factors": factor_results},
        outcome=outcome,
        comment=comment,
    )


def _evaluate_checklist(kind, items, comment):
    prefix = CHECKLIST_PREFIX[kind]
    keys = [f"{prefix}_{n}" for n in range(1, len(CHECKLISTS[kind]) + 1)]
    errors, answers = {}, {}
    for key in keys:
        value = items.get(key)
        if not isinstance(value, bool):
            errors[key] = [_("Answer yes or no.")]
            continue
        answers[key] = value
    for key in sorted(set(items) - set(keys)):
        errors[key] = [_("Not an item of this checklist.")]
    if not errors and not all(answers.values()) and not comment:
        errors["comment"] = [_("Explain in a comment what needs to change.")]
    if errors:
        raise ReviewInvalid(_("The checklist has errors."), details=errors)
    outcome = Review.Outcome.PASSED if all(answers.values()) else Review.Outcome.FAILED
    return Evaluation(sheet=kind, answers={"items": answers}, outcome=outcome, comment=comment)
