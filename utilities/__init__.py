"""What every app shares and no app owns: validation, CSV exports, the capped paginator, the form renderer, the
API's permission and field helpers, periodic-task declarations, handing work to Celery by name, set-wise SQL
inserts, business days and KPI charts. It has no models and imports no app."""
