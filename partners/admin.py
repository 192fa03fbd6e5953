from django.contrib import admin

from partners.models import Organization, PartnerRelationship, Person
from partners.scoping.admin import ScopedModelAdmin


@admin.register(Organization)
class OrganizationAdmin(ScopedModelAdmin):
    list_display = ["name", "website"]
    search_fields = ["name"]


@admin.register(Person)
class PersonAdmin(ScopedModelAdmin):
    list_display = ["full_name", "organization", "email", "job_title", "time_zone"]
    list_filter = ["organization"]
    list_select_related = ["organization"]
    search_fields = ["full_name", "email"]


@admin.register(PartnerRelationship)
class PartnerRelationshipAdmin(ScopedModelAdmin):
    """A vendor's partners and their tiers; a partner sees, read-only, how each vendor counts it."""

    list_display = ["partner", "vendor", "tier", "since"]
    list_filter = ["tier"]
    list_select_related = ["partner", "vendor"]
    autocomplete_fields = ["partner"]
    fields = ["vendor", "partner", "tier", "since"]
