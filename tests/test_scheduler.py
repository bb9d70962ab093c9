"""The scheduler: every scheduled job is a real task, and each due time is enqueued exactly once."""

import datetime
import io
import threading
from zoneinfo import ZoneInfo

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command, get_commands
from django.db import connection
from django_tasks.base import Task
from django_tasks_db.models import DBTaskResult

from alsmis import scheduler
from alsmis.models import ScheduledRun
from alsmis.schedule import SCHEDULE, active_jobs

MANILA = ZoneInfo("Asia/Manila")
EXPECTED_JOBS = {
    "recover_tasks",
    "fail_stale_imports",
    "publish_scheduled",
    "verify_files",
    "escalate_learner_transfers",
    "send_snapshot_reminders",
    "sweep_uploads",
}


def job_named(name):
    return next(job for job in active_jobs() if job.name == name)


def at(*args):
    return datetime.datetime(*args, tzinfo=MANILA)


def test_the_schedule_lists_every_job_and_each_task_and_command_exists():
    assert {job.name for job in SCHEDULE} == EXPECTED_JOBS
    commands = get_commands()
    for job in SCHEDULE:
        assert isinstance(job.get_task(), Task), job.name
        assert job.command in commands, job.name
        CronTrigger.from_crontab(job.cron)  # a valid crontab
        assert isinstance(job.kwargs(), dict)


def test_the_schedule_can_be_moved_and_switched_off(settings):
    settings.SCHEDULER_CRON = {"verify_files": "0 3 * * sun"}
    settings.SCHEDULER_JOBS_OFF = ["publish_scheduled"]
    jobs = {job.name: job for job in active_jobs()}
    assert "publish_scheduled" not in jobs
    assert jobs["verify_files"].cron == "0 3 * * sun"
    settings.SCHEDULER_JOBS_OFF = ["verify_file"]
    with pytest.raises(ImproperlyConfigured, match="verify_file"):
        active_jobs()
    # APScheduler 3 reads day 0 as Monday, cron as Sunday: days of the week go by name.
    settings.SCHEDULER_JOBS_OFF = []
    settings.SCHEDULER_CRON = {"verify_files": "0 3 * * 0"}
    with pytest.raises(ImproperlyConfigured, match="name it instead"):
        active_jobs()
    settings.SCHEDULER_CRON = {"verify_files": "0 3 * *"}
    with pytest.raises(ImproperlyConfigured, match="five fields"):
        active_jobs()


def test_the_latest_slot_is_the_last_cron_time_at_or_before_now():
    every_five = scheduler.trigger_for(job_named("recover_tasks"))
    assert scheduler.latest_slot(every_five, at(2026, 12, 1, 7, 34, 59)) == at(2026, 12, 1, 7, 30)
    assert scheduler.latest_slot(every_five, at(2026, 12, 1, 7, 35)) == at(2026, 12, 1, 7, 35)
    nightly = scheduler.trigger_for(job_named("verify_files"))  # 01:30 Manila
    assert scheduler.latest_slot(nightly, at(2026, 12, 1, 1, 29)) == at(2026, 11, 30, 1, 30)
    assert scheduler.latest_slot(nightly, at(2026, 12, 1, 23, 0)) == at(2026, 12, 1, 1, 30)


@pytest.mark.django_db
def test_a_due_job_is_enqueued_once_even_when_fired_twice_for_the_same_slot(settings):
    settings.VERIFY_FILES_OLDER_THAN_DAYS = 7
    job = job_named("verify_files")
    first = scheduler.fire(job, now=at(2026, 12, 1, 1, 30, 0, 40))
    again = scheduler.fire(job, now=at(2026, 12, 1, 1, 31))  # a second scheduler, a bit later

    assert first is not None and again is None
    rows = DBTaskResult.objects.filter(task_path=job.task)
    assert rows.count() == 1
    assert rows.get().args_kwargs["kwargs"] == {"older_than_days": 7}
    run = ScheduledRun.objects.get()
    assert (run.job, run.slot, run.task_result_id) == (
        "verify_files",
        at(2026, 12, 1, 1, 30),
        str(first.id),
    )
    # The next night is a new slot.
    assert scheduler.fire(job, now=at(2026, 12, 2, 1, 30)) is not None
    assert DBTaskResult.objects.filter(task_path=job.task).count() == 2


@pytest.mark.django_db
def test_a_slot_older_than_a_day_is_not_caught_up_and_old_runs_are_pruned(settings):
    settings.SCHEDULER_CRON = {"verify_files": "0 3 * * sun"}
    job = job_named("verify_files")
    assert scheduler.fire(job, now=at(2026, 12, 2, 9, 0)) is None  # Wednesday: Sunday is past
    assert scheduler.fire(job, now=at(2026, 12, 6, 9, 0)) is not None  # that Sunday, late
    ScheduledRun.objects.create(job="recover_tasks", slot=at(2026, 11, 1, 0, 0))
    scheduler.fire(job_named("recover_tasks"), now=at(2026, 12, 6, 9, 1))
    assert sorted(ScheduledRun.objects.values_list("job", flat=True)) == [
        "recover_tasks",
        "verify_files",
    ]
    assert not ScheduledRun.objects.filter(slot__lt=at(2026, 12, 1, 0, 0)).exists()


@pytest.mark.django_db(transaction=True)
def test_two_schedulers_firing_the_same_slot_at_once_enqueue_it_once():
    job = job_named("fail_stale_imports")
    now = at(2026, 12, 1, 7, 35, 1)
    start = threading.Barrier(2)
    results, errors = [], []

    def one_scheduler():
        try:
            start.wait(timeout=30)
            results.append(scheduler.fire(job, now=now))
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=one_scheduler) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sum(result is not None for result in results) == 1
    assert DBTaskResult.objects.filter(task_path=job.task).count() == 1
    assert ScheduledRun.objects.count() == 1


def test_the_scheduler_has_one_cron_job_per_scheduled_job():
    built = scheduler.build_scheduler(BackgroundScheduler)
    jobs = {job.id: job for job in built.get_jobs()}
    assert set(jobs) == EXPECTED_JOBS
    for job in active_jobs():
        trigger = jobs[job.name].trigger
        assert str(trigger) == str(CronTrigger.from_crontab(job.cron))
        assert trigger.timezone == MANILA


@pytest.mark.django_db(transaction=True)
def test_the_running_scheduler_enqueues_a_job_when_it_fires():
    job = job_named("recover_tasks")
    running = scheduler.build_scheduler(BackgroundScheduler, jobs=[job])
    running.start()
    try:
        # Fire now instead of at the next five-minute mark.
        running.get_job(job.name).modify(next_run_time=datetime.datetime.now(MANILA))
        deadline = datetime.datetime.now() + datetime.timedelta(seconds=30)
        while not ScheduledRun.objects.exists() and datetime.datetime.now() < deadline:
            threading.Event().wait(0.1)
    finally:
        running.shutdown(wait=True)
    run = ScheduledRun.objects.get()
    assert DBTaskResult.objects.get(id=run.task_result_id).task_path == job.task


@pytest.mark.django_db
def test_run_scheduler_lists_the_schedule():
    out = io.StringIO()
    call_command("run_scheduler", "--list", stdout=out)
    listed = out.getvalue()
    for job in SCHEDULE:
        assert job.name in listed and job.task in listed


@pytest.mark.django_db
def test_the_recover_tasks_task_requeues_a_task_a_dead_worker_left():
    from alsmis.tasks import recover_tasks_task, send_email

    left = send_email.enqueue("s", "b", [])
    DBTaskResult.objects.filter(id=left.id).update(
        status="RUNNING",
        started_at=datetime.datetime(2026, 1, 1, tzinfo=MANILA),
        worker_ids=["dead"],
    )
    assert recover_tasks_task.call() == {"requeued": 1, "failed": 0}
    assert DBTaskResult.objects.get(id=left.id).status == "READY"


@pytest.mark.django_db
def test_the_publish_scheduled_task_publishes_a_revision_whose_time_has_come(site_tree):
    from django.utils import timezone
    from wagtail.models import Page

    from alsmis.tasks import publish_scheduled_task

    page = Page.objects.get(slug="clmd").specific
    page.title = "CLMD (new)"
    revision = page.save_revision()
    revision.approved_go_live_at = timezone.now() - datetime.timedelta(minutes=1)
    revision.save()
    publish_scheduled_task.call()
    page.refresh_from_db()
    assert page.live and page.title == "CLMD (new)"
