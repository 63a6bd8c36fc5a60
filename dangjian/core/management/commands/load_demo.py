import datetime
import time

from django.core.management.base import BaseCommand, CommandError

from dangjian.core.demo.generator import DEMO_PASSWORD, DemoBuilder
from dangjian.feedback.demo import DEMO_QUERY_PASSWORD
from dangjian.feedback.models import Case
from dangjian.organizations.models import Organization
from dangjian.policies.models import Policy


class Command(BaseCommand):
    help = "Load the demo county (organizations, leaders, staff accounts, policies)."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--policies", type=int, default=2000, help="number of policies (100000 for benchmarks)")
        parser.add_argument("--townships", type=int, default=10)
        parser.add_argument("--cases", type=int, default=1500, help="feedback cases (200000 for benchmarks)")
        parser.add_argument(
            "--add-cases", type=int, default=0, help="add this many feedback cases to an existing demo county"
        )
        parser.add_argument(
            "--today",
            type=datetime.date.fromisoformat,
            default=None,
            help="date the demo is built around (YYYY-MM-DD); default today",
        )
        parser.add_argument("--if-empty", action="store_true", help="do nothing if organizations exist")
        parser.add_argument(
            "--add-policies", type=int, default=0, help="add this many policies to an existing demo county"
        )

    def handle(self, *args, **options):
        if options["add_policies"]:
            return self._add_policies(options)
        if options["add_cases"]:
            return self._add_cases(options)
        if Organization.objects.exists():
            if options["if_empty"]:
                self.stdout.write("The database already holds organizations; demo data not loaded.")
                return
            raise CommandError("The database already holds organizations. Use a fresh database.")
        started = time.monotonic()
        builder = DemoBuilder(seed=options["seed"], today=options["today"], townships=options["townships"])
        accounts = builder.build(policies=options["policies"], cases=options["cases"])
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo county loaded: {Organization.objects.count()} organizations, "
                f"{Policy.objects.count()} policies, {Case.objects.count()} feedback cases "
                f"in {time.monotonic() - started:.1f} s."
            )
        )
        sample = Case.objects.filter(state=Case._meta.get_field("state").default).first() or Case.objects.first()
        if sample is not None:
            self.stdout.write(
                f"Follow a demo case at /feedback/lookup/: number {sample.number}, "
                f"query password {DEMO_QUERY_PASSWORD} (shared by all demo cases)."
            )
        self.stdout.write(f"Demo sign-ins (username or mobile number, password {DEMO_PASSWORD}):")
        for account in accounts:
            self.stdout.write(
                f"  {account.username:<18} {account.mobile}  {account.role_label} · {account.organization}"
            )
        self.stdout.write("Supervision report keys were made for these units; their recovery keys (keep safe):")
        for unit, recovery in builder.recovery_keys.items():
            self.stdout.write(f"  {unit}: {recovery}")
        self.stdout.write("Discipline officers set up two-factor sign-in (an authenticator app) on first use.")
        if builder.demo_receipt:
            self.stdout.write(
                f"Follow a demo supervision report at /supervision/follow/ with receipt {builder.demo_receipt}."
            )

    def _add_policies(self, options):
        county = Organization.objects.filter(parent__isnull=True).first()
        if county is None:
            raise CommandError("Load the demo county first.")
        townships = list(county.children.all())
        villages = list(Organization.objects.filter(depth=2))
        builder = DemoBuilder(seed=options["seed"] + Policy.objects.count(), today=options["today"])
        started = time.monotonic()
        added = builder.build_policies(county, townships, villages, options["add_policies"])
        self.stdout.write(
            f"Added {added} policies in {time.monotonic() - started:.1f} s ({Policy.objects.count()} in all)."
        )

    def _add_cases(self, options):
        if not Organization.objects.exists():
            raise CommandError("Load the demo county first.")
        builder = DemoBuilder(seed=options["seed"] + Case.objects.count(), today=options["today"])
        started = time.monotonic()
        added = builder.build_cases(options["add_cases"])
        self.stdout.write(
            f"Added {added} feedback cases in {time.monotonic() - started:.1f} s ({Case.objects.count()} in all)."
        )
