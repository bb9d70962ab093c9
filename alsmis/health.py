"""/healthz: is the database, the file storage and the task queue usable from this node?"""

import logging
import time

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


def check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_storage():
    # A real round trip: write, read back, delete. exists() alone can pass on a read-only store.
    name = default_storage.save("healthz/probe.txt", ContentFile(b"ok"))
    try:
        with default_storage.open(name, "rb") as handle:
            if handle.read() != b"ok":
                raise OSError("storage returned different bytes")
    finally:
        default_storage.delete(name)


def check_tasks():
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(status="READY").count()


CHECKS = {"database": check_database, "storage": check_storage, "tasks": check_tasks}


@never_cache
@require_GET
def healthz(request):
    """JSON status of each dependency: 200 when all are ok, 503 when any is not."""
    report = {}
    healthy = True
    for name, check in CHECKS.items():
        started = time.monotonic()
        try:
            check()
        except Exception as exc:  # Any failure of a dependency is a 503, never a 500.
            logger.warning("healthz: %s failed: %s", name, exc)
            healthy = False
            report[name] = {"status": "error", "error": exc.__class__.__name__}
        else:
            report[name] = {"status": "ok"}
        report[name]["ms"] = round((time.monotonic() - started) * 1000, 1)
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": report}, status=200 if healthy else 503
    )
