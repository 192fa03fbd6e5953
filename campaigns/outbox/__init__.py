"""Everything that leaves the tracker: the outbox life cycle every row shares (`lifecycle`), e-mail reminders
and their sweep (`reminders`), event notices (`notices`), webhook deliveries (`webhooks`) and the KPI lines of
the weekly digest (`digest_kpis`)."""
