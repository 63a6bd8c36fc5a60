import datetime
import time
from collections import defaultdict

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from dangjian.demo.context import DemoContext
from dangjian.demo.modules import call, demo_modules


class Command(BaseCommand):
    help = (
        "Load the demo county: each installed app's demo.py adds its part (organizations, leaders, staff accounts, "
        "policies, feedback cases, supervision keys and reports). The protocol: dangjian/demo/__init__.py."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--today",
            type=datetime.date.fromisoformat,
            default=None,
            help="date the demo is built around (YYYY-MM-DD); default today",
        )
        parser.add_argument("--if-empty", action="store_true", help="do nothing if organizations exist")
        call(demo_modules(), "add_arguments", parser)

    def handle(self, *args, **options):
        modules = demo_modules()
        ctx = DemoContext(seed=options["seed"], today=options["today"], options=options)
        extended = [lines for _module, lines in call(modules, "extend", ctx) if lines is not None]
        if extended:
            for lines in extended:
                self._write(lines)
            return
        existing = [what for _module, what in call(modules, "existing") if what]
        if existing:
            held = f"The database already holds {', '.join(existing)}"
            if options["if_empty"]:
                self.stdout.write(f"{held}; demo data not loaded.")
                return
            raise CommandError(f"{held}. Use a fresh database.")
        started = time.monotonic()
        printed: defaultdict[str, list[str]] = defaultdict(list)
        with transaction.atomic():  # the structure (tree, people, grants, keys): whole or not at all
            for module, lines in call(modules, "setup", ctx):
                printed[module.__name__] += lines or []
        for module, lines in call(modules, "load", ctx):  # content, in each app's own batches
            printed[module.__name__] += lines or []
        summaries = [summary for _module, summary in call(modules, "summary") if summary]
        self.stdout.write(
            self.style.SUCCESS(f"Demo county loaded: {', '.join(summaries)} in {time.monotonic() - started:.1f} s.")
        )
        self.stdout.write(f"Demo sign-ins (username or mobile number, password {ctx.password}):")
        for account in ctx.sign_ins:
            self.stdout.write(f"  {account.username:<18} {account.mobile}  {account.role} · {account.organization}")
        for module in modules:
            self._write(printed[module.__name__])

    def _write(self, lines):
        for line in lines:
            self.stdout.write(line)
