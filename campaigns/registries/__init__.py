"""The registries at the bottom of the campaigns app, where other modules and apps plug in without being imported:
health checks (`checks`), reminder sources (`reminder_sources`) and the lines of the weekly digest (`digest`)."""
