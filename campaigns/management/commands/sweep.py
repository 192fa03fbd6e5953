from django.core.management.base import BaseCommand
from django.utils import timezone

from campaigns.models import Flag
from campaigns.outbox.reminders import reminder_send, reminder_sweep
from campaigns.services.health import health_sweep

# Flags listed by name per verb; the counts are always complete.
LISTED = 100


class Command(BaseCommand):
    help = (
        "Run the health sweep and the reminder sweep once, now, and print what they opened, resolved and queued "
        "(for operators, cron users and debugging). Safe to run while beat runs too. Like the scheduled sweeps it "
        "looks only at what changed or fell due since the last run, unless --full."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--send-now",
            action="store_true",
            help="Send the due reminders from this process instead of handing them to the Celery worker.",
        )

        parser.add_argument(
            "--full",
            action="store_true",
            help="Look at every open campaign, not only those changed or due since the last run (as nightly).",
        )

    def handle(self, *args, send_now: bool = False, full: bool = False, **options):
        now = timezone.now()
        health = health_sweep(now=now, incremental=not full)
        changed = {"opened": Flag.objects.filter(opened_at=now), "resolved": Flag.objects.filter(resolved_at=now)}
        for verb, count in (("opened", health.opened), ("resolved", health.resolved)):
            self.stdout.write(f"Flags {verb}: {count}")
            flags = changed[verb].select_related("campaign").order_by("campaign__name", "code", "subject")
            for flag in flags[:LISTED]:
                self.stdout.write(f"  {verb} {flag.code} {flag.subject or '(campaign)'} on “{flag.campaign.name}”")
            if count > LISTED:
                self.stdout.write(f"  … and {count - LISTED} more (see the flags in the admin)")
        self.stdout.write(f"Flags still open: {health.still_open}")
        for code in health.failed_checks:
            self.stderr.write(f"Check {code} failed (see the log); its flags were left unchanged.")

        reminders = reminder_sweep(enqueue=not send_now, incremental=not full)
        self.stdout.write(
            f"Reminders new: {reminders.created} (opted out: {reminders.opted_out}); "
            f"{'sending' if send_now else 'queued'}: {len(reminders.queued)}"
        )
        for kind in reminders.failed_sources:
            self.stderr.write(f"Reminder source {kind} failed (see the log).")
        if send_now:
            outcomes = [reminder_send(reminder_id=reminder_id).status for reminder_id in reminders.queued]
            summary = ", ".join(f"{status}: {outcomes.count(status)}" for status in sorted(set(outcomes))) or "nothing"
            self.stdout.write(f"Sent now: {summary}")
