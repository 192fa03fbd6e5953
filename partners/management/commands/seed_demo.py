from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from partners import demo


class Command(BaseCommand):
    help = "Create (or refresh) the demo companies, people, logins and campaigns. Safe to run again."

    def handle(self, *args, **options):
        context: dict = {}
        with transaction.atomic():
            for step in demo.steps:
                step(context)
            user_model = get_user_model()
            if not user_model.objects.filter(username="admin").exists():
                user_model.objects.create_superuser("admin", "admin@localhost", context["password"])
        self.stdout.write(self.style.SUCCESS("Demo data is ready."))
        self.stdout.write(f"Operator (sees everything): admin / {context['password']}")
        for company, email in context["logins"]:
            self.stdout.write(f"{company}: {email} / {context['password']}")
