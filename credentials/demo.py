"""Demo micro-credentials for `seed_demo`: the four life skills certified so far (RA 11510, with
UNICEF), each by a 360° assessment, and a small issued batch for Benguet.

Idempotent: achievements are looked up by slug (a second run leaves edits alone) and the demo
batch by its file name, so re-running changes nothing.
"""

from datetime import date

from django.contrib.auth import get_user_model
from django.db import transaction

from learners.models import Learner
from organisation.models import Division

from . import services
from .models import Achievement, AwardBatch

RATERS = ["self", "teacher", "community"]
METHOD = (
    "360° assessment: the learner, the ALS teacher and a community member (employer, barangay "
    "official or elder who saw the learner at work) each rate every competency element from 1 "
    "(not yet shown) to 4 (shown consistently, without help)."
)
CRITERIA = (
    "Every element rated at least 3 by each of the three raters, with a mean of at least 3 of 4."
)
WORDING = (
    "has demonstrated the competency elements of {name}, as assessed by self, teacher and "
    "community, and is awarded this micro-credential under Republic Act No. 11510."
)
WORDING_FIL = (
    "ay nagpamalas ng mga elemento ng kakayahan sa {name}, ayon sa pagtatasa ng sarili, ng guro "
    "at ng pamayanan, at ginagawaran ng micro-credential na ito alinsunod sa Batas Republika "
    "Blg. 11510."
)

# slug, English name, Filipino name, strand, description, description (Filipino), elements
LIFE_SKILLS = [
    (
        "communication",
        "Communication",
        "Komunikasyon",
        "LS1 Communication Skills",
        "Listens, speaks and writes clearly for work and community life.",
        "Nakikinig, nagsasalita at sumusulat nang malinaw para sa trabaho at pamayanan.",
        [
            "Listens actively and responds to what others say",
            "Expresses ideas clearly and respectfully in speech",
            "Writes a short message, letter or report for a purpose",
        ],
    ),
    (
        "collaboration",
        "Collaboration",
        "Pakikipagtulungan",
        "LS4 Life and Career Skills",
        "Works with others towards a shared goal.",
        "Nakikipagtulungan sa iba tungo sa iisang layunin.",
        [
            "Shares tasks and does their part on time",
            "Respects the ideas and differences of others",
            "Helps the group settle disagreements",
        ],
    ),
    (
        "problem-solving",
        "Problem-solving",
        "Paglutas ng Problema",
        "LS3 Mathematical and Problem-Solving Skills",
        "Identifies problems at work or at home and solves them step by step.",
        "Natutukoy ang mga problema sa trabaho o tahanan at nalulutas ang mga ito nang sunud-sunod.",
        [
            "Identifies the problem and its causes",
            "Weighs possible solutions and chooses one",
            "Carries out the solution and checks the result",
        ],
    ),
    (
        "leadership",
        "Leadership",
        "Pamumuno",
        "LS4 Life and Career Skills",
        "Guides and motivates others and takes responsibility for results.",
        "Gumagabay at nagbibigay-sigla sa iba at may pananagutan sa resulta.",
        [
            "Sets a direction the group understands",
            "Motivates and supports others to act",
            "Takes responsibility for decisions and their results",
        ],
    ),
]

DEMO_BATCH_FILE = "demo: Benguet recognition day"


def seed_achievements():
    """The four life skills; returns {slug: Achievement}."""
    achievements = {}
    for slug, name, name_fil, strand, description, description_fil, elements in LIFE_SKILLS:
        achievement, _created = Achievement.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "name_fil": name_fil,
                "description": description,
                "description_fil": description_fil,
                "competency_elements": "\n".join(elements),
                "learning_strand": strand,
                "pqf_level": 1,
                "criteria_narrative": CRITERIA,
                "assessment_method": METHOD,
                "raters": RATERS,
                "pass_minimum": 3,
                "pass_mean": 3,
                "certificate_wording": WORDING.format(name=name),
                "certificate_wording_fil": WORDING_FIL.format(name=name_fil),
            },
        )
        achievements[slug] = achievement
    return achievements


def seed_demo_batch(achievements):
    """An issued Benguet batch of three demo learners (communication; one assessed, two with a
    narrative), when the learners demo is there. Returns the batch or None."""
    division = Division.objects.filter(slug="benguet").first()
    if division is None or AwardBatch.objects.filter(source_name=DEMO_BATCH_FILE).exists():
        return None
    users = get_user_model().objects.in_bulk(
        ["focal.benguet", "epsa.benguet"], field_name="username"
    )
    learners = list(Learner.objects.filter(division=division).order_by("lrn")[:3])
    if len(users) < 2 or len(learners) < 3:
        return None
    focal, epsa = users["focal.benguet"], users["epsa.benguet"]
    communication = achievements["communication"]
    for element, ratings in zip(
        communication.elements, [(4, 3, 4), (3, 4, 3), (4, 4, 3)], strict=True
    ):
        services.record_assessment(
            focal,
            learners[0],
            communication,
            element,
            self_rating=ratings[0],
            teacher_rating=ratings[1],
            community_rating=ratings[2],
            assessed_on=date(2025, 11, 20),
        )
    narratives = [
        "",
        "Led the reading circle at the CLC and spoke for the group at the barangay assembly.",
        "Wrote and read the welcome message at the learners' community day.",
    ]
    batch = services.prepare_batch(
        focal,
        division=division,
        achievements=[communication],
        ceremony_date=date(2025, 12, 19),
        venue="Benguet State University Gymnasium, La Trinidad",
        signatories=[
            {"name": "Maria Teresa Bagano", "position": "Education Program Specialist II, ALS"},
            {"name": "Ramon Dagupen", "position": "Schools Division Superintendent"},
        ],
        members=[
            (learner, f"{learner.first_name} {learner.last_name}", narrative)
            for learner, narrative in zip(learners, narratives, strict=True)
        ],
        source_name=DEMO_BATCH_FILE,
    )
    services.approve_batch(epsa, batch)
    services.issue_batch(focal, batch)
    return batch


@transaction.atomic
def seed_credentials():
    """The demo achievements and, when there are demo learners, the demo batch."""
    achievements = seed_achievements()
    seed_demo_batch(achievements)
    return achievements
