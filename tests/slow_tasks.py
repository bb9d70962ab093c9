"""A task for tests/test_task_recovery.py: slow on its first run, quick when run again."""

import os
import time

from django_tasks import task


@task()
def sleep_on_first_run(marker_path, seconds=120):
    """The first run leaves a marker and sleeps (so it can be killed mid-task); a re-run returns."""
    if os.path.exists(marker_path):
        return "done"
    with open(marker_path, "w") as marker:
        marker.write(str(os.getpid()))
    time.sleep(seconds)
    return "slept"
