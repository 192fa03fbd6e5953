"""The campaigns app's health checks (and the reminders and digest lines that go with them), each registered
with `campaigns.registries` when imported (see `CampaignsConfig.ready`)."""
