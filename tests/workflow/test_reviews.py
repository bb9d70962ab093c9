"""Rating sheets and checklists: validation, computed outcomes, configurable thresholds, and the
rule that a failed Accuracy factor can never be endorsed or approved."""

import pytest
from django.test import override_settings

from workflow.models import Review, State
from workflow.review import evaluate, sheet_for
from workflow.services import ReviewInvalid, perform_transition

pytestmark = pytest.mark.django_db


def all_fours(submission):
    sheet = sheet_for(submission)
    return {i["key"]: 4 for f in sheet["factors"] for i in f["items"]}


def test_rating_sheet_has_the_lrmds_factors_and_ip_only_for_modules(make_lr):
    sheet = sheet_for(make_lr(files=False))
    assert [f["key"] for f in sheet["factors"]] == ["content", "format", "presentation", "accuracy"]
    content = sheet["factors"][0]
    assert len(content["items"]) == 7 and (content["pass"], content["max"]) == (21, 28)
    module = make_lr(files=False, title="A module", resource_type="module")
    assert [f["key"] for f in sheet_for(module)["factors"]][-1] == "ip"


def test_scores_below_four_need_a_comment_and_must_be_in_range(make_lr):
    submission = make_lr(files=False)
    items = all_fours(submission)
    items["content_3"] = 3
    items["format_1"] = 5
    del items["presentation_5"]
    items["bogus_1"] = 4
    with pytest.raises(ReviewInvalid) as invalid:
        evaluate(submission, {"items": items})
    assert invalid.value.details == {
        "content_3": ["A rating below 4 needs a comment."],
        "format_1": ["Score this item from 4 to 1."],
        "presentation_5": ["Score this item from 4 to 1."],
        "bogus_1": ["Not an item of this rating sheet."],
    }


def test_outcomes_from_thresholds(make_lr):
    submission = make_lr(files=False)
    items = all_fours(submission)
    assert evaluate(submission, {"items": items}).outcome == Review.Outcome.PASSED

    # Content 20/28: below the pass mark 21, at or above the conditional mark 18.
    content_low = dict(items, content_1=1, content_2=2, content_3=1)
    comments = {"content_1": "vague", "content_2": "off-target", "content_3": "thin"}
    result = evaluate(submission, {"items": content_low, "item_comments": comments})
    assert result.outcome == Review.Outcome.CONDITIONAL_PASS
    assert result.answers["factors"]["content"] == {
        "score": 20,
        "max": 28,
        "pass": 21,
        "result": "conditional_pass",
    }

    # A single 3 in Accuracy fails the material, however good the rest is.
    accuracy = dict(items, accuracy_2=3)
    result = evaluate(
        submission, {"items": accuracy, "item_comments": {"accuracy_2": "wrong date"}}
    )
    assert result.outcome == Review.Outcome.FAILED
    assert result.answers["factors"]["accuracy"]["result"] == "failed"

    very_low = dict(items, **{f"content_{n}": 2 for n in range(1, 8)})
    notes = {f"content_{n}": "weak" for n in range(1, 8)}
    assert evaluate(submission, {"items": very_low, "item_comments": notes}).outcome == "failed"


def test_conditional_pass_between_the_marks(make_lr):
    submission = make_lr(files=False)
    items = dict(all_fours(submission), content_1=1, content_2=1, content_3=2, content_4=2)
    notes = {"content_1": "a", "content_2": "b", "content_3": "c", "content_4": "d"}
    result = evaluate(submission, {"items": items, "item_comments": notes})
    assert result.answers["factors"]["content"]["score"] == 18
    assert result.outcome == Review.Outcome.CONDITIONAL_PASS
    items["content_4"] = 1  # 17/28: below the conditional mark
    assert evaluate(submission, {"items": items, "item_comments": notes}).outcome == "failed"


@override_settings(LRMDS_THRESHOLDS={"content": {"pass": 28, "conditional": 27}})
def test_thresholds_are_configurable(make_lr):
    submission = make_lr(files=False)
    items = dict(all_fours(submission), content_1=3)
    result = evaluate(submission, {"items": items, "item_comments": {"content_1": "minor"}})
    assert result.outcome == Review.Outcome.CONDITIONAL_PASS
    assert sheet_for(submission)["factors"][0]["pass"] == 28


def test_failed_accuracy_can_never_be_endorsed_or_approved(bring_to, user_named):
    submission = bring_to("under_division_review")
    lrqa = user_named("lrqa.benguet")
    items = dict(all_fours(submission), accuracy_1=3)
    review = {"items": items, "item_comments": {"accuracy_1": "conceptual error"}}
    with pytest.raises(ReviewInvalid) as refused:
        perform_transition(lrqa, submission, "endorse_to_region", review=review)
    assert "passed the review" in refused.value.message
    submission.refresh_from_db()
    assert submission.journey.state == State.UNDER_DIVISION_REVIEW
    assert not Review.objects.exists()
    # ... it can only go back to the teacher, with the failed sheet on record.
    perform_transition(lrqa, submission, "return_for_revision", review=review, comment="Fix it.")
    assert Review.objects.get().outcome == Review.Outcome.FAILED

    regional = bring_to("under_regional_review", title="Regional one")
    with pytest.raises(ReviewInvalid):
        perform_transition(user_named("lrqa.region"), regional, "approve", review=review)
    with pytest.raises(ReviewInvalid):
        perform_transition(user_named("lrqa.region"), regional, "approve")  # no review at all


def test_checklists_for_research_and_stories(user_named):
    from workflow.demo import pdf_upload
    from workflow.services import create_submission, upload_file

    teacher = user_named("teacher.benguet")
    story = create_submission(
        teacher,
        {
            "kind": "story",
            "title": "From farm to diploma",
            "summary": "s",
            "authors": "a",
            "keywords": "k",
            "languages": ["english"],
            "school_year": "2025-2026",
            "learner_featured": "Ana",
            "learner_named_or_pictured": True,
        },
    )
    sheet = sheet_for(story)
    assert sheet["sheet"] == "story" and sheet["scale"] is None
    keys = [i["key"] for i in sheet["factors"][0]["items"]]
    answers = dict.fromkeys(keys, True)
    assert evaluate(story, {"items": answers}).outcome == Review.Outcome.PASSED
    answers[keys[2]] = False
    with pytest.raises(ReviewInvalid) as invalid:
        evaluate(story, {"items": answers})
    assert "comment" in invalid.value.details
    result = evaluate(story, {"items": answers, "comment": "Consent form missing."})
    assert result.outcome == Review.Outcome.FAILED
    upload_file(teacher, story, pdf_upload("Story"), "main")
    from repository.services import missing_requirements

    assert missing_requirements(story) == [
        "The learner's written consent is missing (the learner is named or pictured)."
    ]
