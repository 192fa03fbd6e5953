"""The registries at the bottom of the campaigns app, where other modules and apps plug in without being imported:
health checks (`checks`), reminder sources (`reminder_sources`), the lines of the weekly digest (`digest`) and what
follows a company joining a campaign (`joins`)."""
