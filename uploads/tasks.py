"""Background work of resumable uploads: the check of a completed upload, and the sweep."""

from django_tasks import task

from . import services


@task()
def verify_upload_task(upload_pk):
    """Check a completed upload (size, sniffed type, SHA-256) and attach it or refuse it."""
    return services.verify_upload(upload_pk)


@task()
def sweep_abandoned_uploads_task(older_than_hours=None):
    """Abort uploads left unfinished for too long (rows and S3 multipart uploads)."""
    return {"aborted": services.sweep_abandoned(older_than_hours)}
