"""The registries at the bottom of the campaigns app, where other modules and apps plug in without being imported:
health checks (`checks`), reminder sources (`reminder_sources`), the lines of the weekly digest (`digest`), what
follows a company joining a campaign (`joins`) and more of what is due for a company on My work (`due_work`)."""
