from django.contrib import admin

from partners.models import Organization, Person
from partners.scoping.admin import ScopedModelAdmin


@admin.register(Organization)
class OrganizationAdmin(ScopedModelAdmin):
    list_display = ["name", "website", "partner_tier"]
    list_filter = ["partner_tier"]
    search_fields = ["name"]


@admin.register(Person)
class PersonAdmin(ScopedModelAdmin):
    list_display = ["full_name", "organization", "email", "job_title", "time_zone"]
    list_filter = ["organization"]
    list_select_related = ["organization"]
    search_fields = ["full_name", "email"]
