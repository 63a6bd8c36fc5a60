"""Run background tasks: django-tasks-db's `db_worker`, made to ride out a database outage.

`make run` (scripts/serve.sh) starts this beside `manage.py run_clock`; it takes db_worker's options.
django-tasks-db's worker exits on the first database connection error. This one logs the outage
once, waits with backoff until the database answers (core/outage.py), puts back in the queue any
task it was running when the connection broke (its result could not be recorded; our tasks are safe
to run again), and carries on.
"""

from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from dangjian.core.outage import DATABASE_ERRORS, wait_for_database


class Worker(db_worker.Worker):
    def run(self) -> None:
        while self.running:
            try:
                self.requeue_interrupted()
                super().run()
                return
            except DATABASE_ERRORS as error:
                self.running_task = False
                if not wait_for_database(error, "task worker", stop=lambda: not self.running):
                    return

    def requeue_interrupted(self) -> None:
        """Tasks this worker claimed but could not record as finished go back to the queue."""
        running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING, backend_name=self.backend_name)
        for pk, worker_ids in running.values_list("pk", "worker_ids"):
            if worker_ids and worker_ids[-1] == self.worker_id:
                DBTaskResult.objects.filter(pk=pk, status=TaskResultStatus.RUNNING).update(
                    status=TaskResultStatus.READY, started_at=None
                )


class Command(db_worker.Command):
    help = "Run the database task worker; a database outage is waited out, not a reason to exit."

    def handle(self, *args, **options):
        # db_worker's handle() builds the module's `Worker` by name and has no other hook: swap the class
        # for the duration of the command.
        original = db_worker.Worker
        db_worker.Worker = Worker  # type: ignore[misc]  # a class swapped in the third-party module
        try:
            super().handle(*args, **options)
        finally:
            db_worker.Worker = original  # type: ignore[misc]  # restored
