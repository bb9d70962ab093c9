"""The starting terms of each controlled vocabulary (DOMAIN.md). Loaded by a data migration and
by `seed_vocabularies()`; both only add what is missing, so administrators' edits survive.
"""

# model name -> [(code, name)] or [(code, name, applies_to)] for return reasons
SEED_TERMS = {
    "Language": [
        ("english", "English"),
        ("filipino", "Filipino"),
        ("iloko", "Iloko (Ilokano)"),
        ("kankanaey", "Kankanaey"),
        ("ibaloi", "Ibaloi"),
        ("ifugao", "Ifugao (Tuwali)"),
        ("kalinga", "Kalinga"),
        ("itneg", "Itneg"),
        ("isnag", "Isnag"),
        ("bontok", "Bontok"),
        ("kalanguya", "Kalanguya"),
        # The other mother tongues recognised by DepEd.
        ("tagalog", "Tagalog"),
        ("kapampangan", "Kapampangan"),
        ("pangasinense", "Pangasinense"),
        ("bikol", "Bikol"),
        ("cebuano", "Cebuano"),
        ("hiligaynon", "Hiligaynon"),
        ("waray", "Waray"),
        ("tausug", "Tausug"),
        ("maguindanaoan", "Maguindanaoan"),
        ("maranao", "Maranao"),
        ("chabacano", "Chabacano"),
        ("ybanag", "Ybanag"),
        ("ivatan", "Ivatan"),
        ("sama", "Sama"),
        ("aklanon", "Aklanon"),
        ("kinaray-a", "Kinaray-a"),
        ("yakan", "Yakan"),
        ("surigaonon", "Surigaonon"),
    ],
    "LearningStrand": [
        ("ls1-english", "LS1 Communication Skills (English)"),
        ("ls1-filipino", "LS1 Communication Skills (Filipino)"),
        ("ls2", "LS2 Scientific Literacy and Critical Thinking Skills"),
        ("ls3", "LS3 Mathematical and Problem-Solving Skills"),
        ("ls4", "LS4 Life and Career Skills"),
        ("ls5", "LS5 Understanding the Self and Society"),
        ("ls6", "LS6 Digital Citizenship"),
    ],
    "Program": [
        ("blp", "Basic Literacy Program (BLP)"),
        ("ae-elementary", "A&E Elementary"),
        ("ae-secondary", "A&E Secondary (Junior High School)"),
        ("als-shs", "ALS Senior High School (ALS-SHS)"),
    ],
    "CurriculumLevel": [
        ("basic-literacy", "Basic Literacy"),
        ("lower-elementary", "Lower Elementary"),
        ("advanced-elementary", "Advanced Elementary"),
        ("junior-high-school", "Junior High School"),
        ("senior-high-school", "Senior High School"),
    ],
    "MaterialType": [
        ("print", "Print"),
        ("digital", "Digital / electronic document"),
        ("audio", "Audio"),
        ("video", "Video"),
        ("multimedia", "Multimedia / interactive"),
        ("manipulative", "Manipulative / realia"),
    ],
    "ResourceType": [
        ("module", "Module"),
        ("learning-activity-sheet", "Learning activity sheet"),
        ("worksheet", "Worksheet"),
        ("session-guide", "Session guide / lesson plan"),
        ("teachers-guide", "Teacher's / facilitator's guide"),
        ("assessment-tool", "Assessment tool"),
        ("reading-material", "Reading material / big book"),
        ("video-lesson", "Video lesson"),
        ("audio-lesson", "Audio lesson / radio script"),
        ("infographic", "Infographic / poster"),
        ("slide-presentation", "Slide presentation"),
        ("manual", "Manual / handbook"),
    ],
    "EducationType": [
        ("als", "Alternative Learning System"),
        ("formal-k12", "Formal education (K to 12)"),
        ("iped", "Indigenous Peoples Education (IPEd)"),
        ("sned", "Special Needs Education (SNEd)"),
        ("madrasah", "Madrasah education"),
    ],
    "IntendedUser": [
        ("learners", "Learners"),
        ("als-teachers", "ALS teachers / learning facilitators"),
        ("parents", "Parents and guardians"),
        ("school-heads", "School heads and program managers"),
        ("community-partners", "Community partners"),
    ],
    "ResearchType": [
        ("action-research", "Action research"),
        ("basic-research", "Basic research"),
        ("policy-research", "Policy research"),
        ("case-study", "Case study"),
        ("tracer-study", "Tracer study"),
        ("innovation", "Innovation / best practice"),
    ],
    "ReturnReason": [
        ("missing-main-file", "Main file (scanned soft copy) missing", "incomplete"),
        ("missing-hard-copy", "Original hard copy not submitted", "incomplete"),
        ("missing-consent", "Learner's written consent missing", "incomplete"),
        ("missing-ip-declaration", "IP / copyright declaration missing", "incomplete"),
        ("incomplete-metadata", "Required details not filled in", "incomplete"),
        ("illegible-scan", "Scan illegible or incomplete pages", "incomplete"),
        ("content-errors", "Content errors or gaps", "revision"),
        ("factual-errors", "Conceptual or factual errors", "revision"),
        ("language-errors", "Grammar, spelling or language errors", "revision"),
        ("format-layout", "Format, layout or illustrations need work", "revision"),
        ("competency-alignment", "Not aligned with the stated competencies", "revision"),
        ("copyright-concerns", "Copyright or permissions concerns", "revision"),
        ("personal-data", "Personal data exposed (RA 10173)", "revision"),
        ("post-publication-errors", "Errors found after publication", "withdrawal"),
        ("copyright-complaint", "Copyright complaint", "withdrawal"),
        ("superseded", "Superseded by a newer version", "withdrawal"),
        ("privacy-concern", "Privacy concern", "withdrawal"),
    ],
}


def seed_vocabularies(apps=None):
    """Add every missing seed term (by code); existing terms are left as administrators edited them."""
    if apps is None:
        from django.apps import apps as django_apps

        apps = django_apps
    created = 0
    for model_name, terms in SEED_TERMS.items():
        model = apps.get_model("repository", model_name)
        for position, term in enumerate(terms, start=1):
            defaults = {"name": term[1], "sort_order": position * 10}
            if len(term) == 3:
                defaults["applies_to"] = term[2]
            _obj, was_created = model.objects.get_or_create(code=term[0], defaults=defaults)
            created += was_created
    return created
