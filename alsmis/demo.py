"""Demo data for `make run` and the tests: CAR, its eight divisions, districts, CLCs and users."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from organisation.models import CommunityLearningCenter, District, Division, Region, Role
from organisation.services import assign_role

CLC = CommunityLearningCenter.CLCType

# slug, code, name, [(district code, district name, [(clc code, clc name, type, municipality)])]
CAR_DIVISIONS = [
    (
        "abra",
        "ABR",
        "Abra",
        [
            (
                "BGD1",
                "Bangued I",
                [("BGD1-01", "Zone 1 Barangay Hall CLC", CLC.BARANGAY_CENTER, "Bangued")],
            ),
            ("BGD2", "Bangued II", [("BGD2-01", "Calaba CLC", CLC.SEMI_CONCRETE, "Bangued")]),
            ("PDR", "Pidigan", [("PDR-01", "Pidigan Mobile CLC", CLC.MOBILE, "Pidigan")]),
        ],
    ),
    (
        "apayao",
        "APA",
        "Apayao",
        [
            ("LUNA", "Luna", [("LUNA-01", "Poblacion Luna CLC", CLC.BARANGAY_CENTER, "Luna")]),
            ("KAB", "Kabugao", [("KAB-01", "Kabugao Makeshift CLC", CLC.MAKESHIFT, "Kabugao")]),
        ],
    ),
    (
        "baguio",
        "BAG",
        "Baguio City",
        [
            (
                "BGC-N",
                "Baguio North",
                [("BGCN-01", "Pinsao CLC", CLC.MULTI_STOREY_ICT, "Baguio City")],
            ),
            (
                "BGC-S",
                "Baguio South",
                [("BGCS-01", "Irisan CLC", CLC.BARANGAY_CENTER, "Baguio City")],
            ),
            (
                "BGC-C",
                "Baguio Central",
                [("BGCC-01", "Session Road CLC", CLC.MULTI_STOREY_ICT, "Baguio City")],
            ),
        ],
    ),
    (
        "benguet",
        "BEN",
        "Benguet",
        [
            (
                "LTR",
                "La Trinidad",
                [
                    ("LTR-01", "Poblacion La Trinidad CLC", CLC.BARANGAY_CENTER, "La Trinidad"),
                    ("LTR-02", "Balili CLC", CLC.SEMI_CONCRETE, "La Trinidad"),
                ],
            ),
            ("ITG", "Itogon", [("ITG-01", "Ucab CLC", CLC.MAKESHIFT, "Itogon")]),
            ("TUB", "Tuba", [("TUB-01", "Camp 3 CLC", CLC.SEMI_CONCRETE, "Tuba")]),
        ],
    ),
    (
        "ifugao",
        "IFU",
        "Ifugao",
        [
            ("LAG", "Lagawe", [("LAG-01", "Lagawe Poblacion CLC", CLC.BARANGAY_CENTER, "Lagawe")]),
            ("BAN", "Banaue", [("BAN-01", "Banaue House-to-House", CLC.MOBILE, "Banaue")]),
        ],
    ),
    (
        "kalinga",
        "KAL",
        "Kalinga",
        [
            ("TAN", "Tanudan", [("TAN-01", "Tanudan CLC", CLC.MAKESHIFT, "Tanudan")]),
            ("PAS", "Pasil", [("PAS-01", "Pasil CLC", CLC.SEMI_CONCRETE, "Pasil")]),
        ],
    ),
    (
        "mountain-province",
        "MTP",
        "Mountain Province",
        [
            ("BON", "Bontoc", [("BON-01", "Bontoc Poblacion CLC", CLC.BARANGAY_CENTER, "Bontoc")]),
            ("SAG", "Sagada", [("SAG-01", "Sagada CLC", CLC.SEMI_CONCRETE, "Sagada")]),
            ("BAU", "Bauko", [("BAU-01", "Bauko CLC", CLC.MAKESHIFT, "Bauko")]),
        ],
    ),
    (
        "tabuk",
        "TAB",
        "Tabuk City",
        [
            (
                "TBK-E",
                "Tabuk East",
                [("TBKE-01", "Bulanao CLC", CLC.MULTI_STOREY_ICT, "Tabuk City")],
            ),
            (
                "TBK-W",
                "Tabuk West",
                [("TBKW-01", "Dagupan CLC", CLC.BARANGAY_CENTER, "Tabuk City")],
            ),
        ],
    ),
]

DIVISION_ROLES = [
    ("records", Role.RECORDS_SECTION),
    ("epsa", Role.EPSA),
    ("focal", Role.DIVISION_FOCAL),
    ("lrqa", Role.LR_QA_REVIEWER),
]
REGION_ROLES = [
    ("records.region", Role.RECORDS_SECTION),
    ("lrqa.region", Role.LR_QA_REVIEWER),
    ("als.region", Role.REGIONAL_ALS),
    ("sysadmin.region", Role.SYSTEM_ADMINISTRATOR),
]


def _user(username, first_name, last_name, *, superuser=False):
    """Create a demo user once; a second run leaves passwords and edits alone."""
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=username,
        defaults={
            "email": f"{username}@deped-car.example",
            "first_name": first_name,
            "last_name": last_name,
            "is_staff": superuser,
            "is_superuser": superuser,
        },
    )
    if created:
        user.set_password(settings.DEMO_PASSWORD)
        user.save()
    return user


@transaction.atomic
def seed_organisation():
    """The Cordillera Administrative Region with its divisions, districts and CLCs."""
    region, _ = Region.objects.get_or_create(
        code="CAR", defaults={"name": "Cordillera Administrative Region"}
    )
    for slug, code, name, districts in CAR_DIVISIONS:
        division, _ = Division.objects.get_or_create(
            slug=slug, defaults={"region": region, "code": code, "name": name}
        )
        for district_code, district_name, clcs in districts:
            district, _ = District.objects.get_or_create(
                division=division, code=district_code, defaults={"name": district_name}
            )
            for clc_code, clc_name, clc_type, municipality in clcs:
                CommunityLearningCenter.objects.get_or_create(
                    district=district,
                    code=clc_code,
                    defaults={"name": clc_name, "clc_type": clc_type, "municipality": municipality},
                )
    return region


@transaction.atomic
def seed_users(region):
    """The fixed demo logins; returns [(username, what they are)] for printing."""
    logins = [("admin", "superuser")]
    _user("admin", "System", "Administrator", superuser=True)
    for division in Division.objects.filter(region=region).order_by("name"):
        first_district = division.districts.order_by("pk").first()
        teacher = _user(f"teacher.{division.slug}", "Teacher", division.name)
        assign_role(teacher, Role.ALS_TEACHER, first_district)
        logins.append((teacher.username, f"ALS teacher, {first_district.name} district"))
        for prefix, role in DIVISION_ROLES:
            user = _user(f"{prefix}.{division.slug}", prefix.upper(), division.name)
            assign_role(user, role, division)
            logins.append((user.username, f"{role.label}, {division.name}"))
    for username, role in REGION_ROLES:
        user = _user(username, username.split(".")[0].upper(), "Region")
        assign_role(user, role, region)
        logins.append((username, f"{role.label}, {region.code}"))
    return logins
