"""Background work runs once however many servers run it: the clock's shared schedule (core/clock.py) and the
task workers' claims (django-tasks-db), each tried with two real processes on the test database."""

from __future__ import annotations

import datetime
import subprocess
import sys
import time
from collections import Counter

import pytest
from django.conf import settings
from django.db.models import F
from django.tasks import task
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from dangjian.core.clock import enqueue_if_due
from dangjian.core.models import ClockSlot, ContentGeneration
from dangjian.tests_support.asgiserver import ROOT, server_env

pytestmark = pytest.mark.django_db(transaction=True)


@task
def count_a_run() -> None:
    """A task whose every run shows in the database: the counter goes up by one."""
    ContentGeneration.objects.filter(pk=1).update(value=F("value") + 1)


def test_a_due_task_is_enqueued_once_per_interval_whoever_asks():
    now = timezone.now()
    path = "dangjian.core.tests.test_clock.count_a_run"
    first = enqueue_if_due(path, count_a_run, 600, now)
    # A second clock asking at the same moment (or a little later) finds the slot moved on.
    again = enqueue_if_due(path, count_a_run, 600, now)
    later = enqueue_if_due(path, count_a_run, 600, now + datetime.timedelta(seconds=599))
    assert first == again == later == now + datetime.timedelta(seconds=600)
    assert DBTaskResult.objects.filter(task_path=path).count() == 1
    # Its next interval comes; a clock that was away for three intervals enqueues it once, not three times.
    enqueue_if_due(path, count_a_run, 600, now + datetime.timedelta(seconds=600))
    enqueue_if_due(path, count_a_run, 600, now + datetime.timedelta(seconds=3000))
    enqueue_if_due(path, count_a_run, 600, now + datetime.timedelta(seconds=3001))
    assert DBTaskResult.objects.filter(task_path=path).count() == 3
    assert ClockSlot.objects.get(task=path).due_at == now + datetime.timedelta(seconds=3600)


def _start(*command: str) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", *command],
        cwd=ROOT,
        env=server_env(LOG_LEVEL="WARNING"),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def _stop(process: subprocess.Popen) -> str:
    process.terminate()
    output, _ = process.communicate(timeout=30)
    return output.decode(errors="replace")


def test_two_clocks_on_two_servers_enqueue_each_scheduled_job_once():
    clocks = [_start("run_clock"), _start("run_clock")]
    deadline = time.monotonic() + 60
    # Both clocks start, tick every second and find every task due at first: wait until every task is
    # scheduled and both have ticked a few more times.
    while time.monotonic() < deadline and ClockSlot.objects.count() < len(settings.PERIODIC_TASKS):
        time.sleep(0.5)
    time.sleep(4)
    outputs = [_stop(clock) for clock in clocks]
    assert ClockSlot.objects.count() == len(settings.PERIODIC_TASKS), outputs
    enqueued = Counter(DBTaskResult.objects.values_list("task_path", flat=True))
    assert enqueued == dict.fromkeys(settings.PERIODIC_TASKS, 1), outputs


def test_two_workers_run_each_task_once():
    ContentGeneration.objects.update_or_create(pk=1, defaults={"value": 1000})
    results = [count_a_run.enqueue() for _ in range(40)]
    workers = [_start("run_worker", "--batch", "--no-startup-delay", "--no-reload") for _ in range(2)]
    outputs = [worker.communicate(timeout=120)[0].decode(errors="replace") for worker in workers]
    assert all(worker.returncode == 0 for worker in workers), outputs
    rows = DBTaskResult.objects.filter(pk__in=[result.id for result in results])
    assert {row.status for row in rows} == {TaskResultStatus.SUCCESSFUL}, outputs
    assert all(len(row.worker_ids) == 1 for row in rows)
    assert ContentGeneration.objects.get(pk=1).value == 1040  # each task ran once, none twice
