from django.db import models


def save_validated(instance: models.Model) -> models.Model:
    """Run every model rule (fields, clean, constraints) before writing, so admin, API and tasks share them."""
    instance.full_clean()
    instance.save()
    return instance
