"""Dependencies point one way: apps never import the public site (`cms`) or the project package.

Only the project package (`alsmis`: URLs, settings, the demo) and the API may import `cms`; no app
imports `alsmis` except for its shared tasks (`alsmis.tasks`). Checked on the import statements of
every module, so a new arrow the wrong way fails here rather than in review.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = [
    "accounts",
    "api",
    "backups",
    "cms",
    "credentials",
    "errata",
    "guard",
    "home",
    "learners",
    "monitoring",
    "organisation",
    "repository",
    "snapshots",
    "stats",
    "uploads",
    "workflow",
]
MAY_IMPORT_CMS = {"alsmis", "api", "cms"}
# Micro-credentials sit on top of learners and organisation: only the project package (URLs,
# demo) and the API mount them.
MAY_IMPORT_CREDENTIALS = {"alsmis", "api", "credentials"}
# Monitoring reads the workflow's records; nothing reads it (other apps add their sections
# through its hook name, monitoring.figures.SECTIONS_HOOK).
MAY_IMPORT_MONITORING = {"alsmis", "monitoring"}
# (importer, imported) pairs the architecture forbids besides `cms`.
FORBIDDEN = [("repository", "workflow"), ("repository", "uploads"), ("workflow", "uploads")]


def imported_modules(path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module


def imports_of(package):
    for path in sorted((ROOT / package).rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for module in imported_modules(path):
            yield path.relative_to(ROOT), module


@pytest.mark.parametrize("package", APPS + ["alsmis"])
def test_only_the_project_and_the_api_import_the_public_site(package):
    if package in MAY_IMPORT_CMS:
        return
    wrong = [
        f"{path}: {module}" for path, module in imports_of(package) if module.split(".")[0] == "cms"
    ]
    assert wrong == []


@pytest.mark.parametrize("package", APPS)
def test_apps_use_the_project_package_only_for_shared_tasks(package):
    wrong = [
        f"{path}: {module}"
        for path, module in imports_of(package)
        if module.split(".")[0] == "alsmis" and module != "alsmis.tasks"
    ]
    assert wrong == []


@pytest.mark.parametrize(("importer", "imported"), FORBIDDEN)
def test_forbidden_arrows(importer, imported):
    wrong = [
        f"{path}: {module}"
        for path, module in imports_of(importer)
        if module.split(".")[0] == imported
    ]
    assert wrong == []


@pytest.mark.parametrize("package", APPS + ["alsmis"])
def test_only_the_project_and_the_api_import_credentials(package):
    if package in MAY_IMPORT_CREDENTIALS:
        return
    wrong = [
        f"{path}: {module}"
        for path, module in imports_of(package)
        if module.split(".")[0] == "credentials"
    ]
    assert wrong == []


@pytest.mark.parametrize("package", APPS + ["alsmis"])
def test_only_the_project_imports_monitoring(package):
    if package in MAY_IMPORT_MONITORING:
        return
    wrong = [
        f"{path}: {module}"
        for path, module in imports_of(package)
        if module.split(".")[0] == "monitoring"
    ]
    assert wrong == []
