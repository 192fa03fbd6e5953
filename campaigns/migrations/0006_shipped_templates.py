"""The campaign templates shipped with the tracker, one per kind (data: a company copies and adapts them).

Each deliverable: title, type, channel (host or partner), due offset in business days from the event date,
sign-off, legal review. Accountable = the channel company's project lead, Responsible = its process expert.
"""

from django.db import migrations

WEBINAR = [
    ("Landing page", "landing_page", "host", -20, True, True),
    ("Registration form", "registration_form", "host", -20, False, False),
    ("Invitation e-mail (host list)", "invitation_email", "host", -15, True, False),
    ("Invitation e-mail (partner list)", "invitation_email", "partner", -15, True, False),
    ("Social posts (host)", "social_posts", "host", -10, False, False),
    ("Social posts (partner)", "social_posts", "partner", -10, False, False),
    ("Slide deck", "slide_deck", "host", -5, True, False),
    ("Speaker prep / dry run", "speaker_prep", "host", -2, False, False),
    ("The live webinar", "live_event", "host", 0, False, False),
    ("Follow-up nurture", "nurture", "partner", 3, True, False),
    ("Results report", "results_report", "host", 10, False, False),
]
EVENT = [
    ("Event page", "landing_page", "host", -30, True, True),
    ("Registration form", "registration_form", "host", -30, False, False),
    ("Invitation e-mail (host list)", "invitation_email", "host", -25, True, False),
    ("Invitation e-mail (partner list)", "invitation_email", "partner", -25, True, False),
    ("Social posts (host)", "social_posts", "host", -15, False, False),
    ("Social posts (partner)", "social_posts", "partner", -15, False, False),
    ("Booth and session material", "other", "host", -10, True, True),
    ("The event", "live_event", "host", 0, False, False),
    ("Follow-up nurture", "nurture", "partner", 3, True, False),
    ("Results report", "results_report", "host", 10, False, False),
]
CONTENT = [
    ("Co-branded landing page", "landing_page", "host", -5, True, True),
    ("Co-branded asset", "other", "partner", -10, True, True),
    ("Social posts (host)", "social_posts", "host", 0, False, False),
    ("Social posts (partner)", "social_posts", "partner", 0, False, False),
    ("Nurture to downloaders", "nurture", "partner", 5, True, False),
    ("Results report", "results_report", "host", 20, False, False),
]
CO_SELLING = [
    ("Joint value proposition and pitch deck", "slide_deck", "host", -15, True, True),
    ("Target account list", "other", "partner", -10, False, False),
    ("Sales enablement session", "live_event", "host", -5, False, False),
    ("Launch e-mail to target accounts", "invitation_email", "partner", 0, True, False),
    ("Pipeline report", "results_report", "host", 20, False, False),
]
MULTI_PARTNER = [
    ("Program landing page", "landing_page", "host", -15, True, True),
    ("Partner enablement kit", "slide_deck", "host", -10, True, False),
    ("Partner invitation e-mail", "invitation_email", "partner", -5, True, False),
    ("Partner social posts", "social_posts", "partner", 0, False, False),
    ("Cycle results report", "results_report", "host", 30, False, False),
]
MARKETING_KPIS = ["registrations", "attendees", "net_new_leads", "icp_leads"]
TEMPLATES = [
    ("Joint webinar", "joint_webinar", WEBINAR, MARKETING_KPIS),
    ("Joint event", "joint_event", EVENT, MARKETING_KPIS),
    ("Co-branded content / landing page", "co_branded_content", CONTENT, ["net_new_leads", "icp_leads", "target_account_leads"]),
    ("Co-selling program", "co_selling", CO_SELLING, ["sqls", "pipeline_value", "closed_won_value"]),
    ("Multi-partner program", "multi_partner", MULTI_PARTNER, ["net_new_leads", "mqls", "sqls", "pipeline_value"]),
]


def load_shipped_templates(apps, schema_editor):
    template_model = apps.get_model("campaigns", "CampaignTemplate")
    line_model = apps.get_model("campaigns", "TemplateDeliverable")
    metric_model = apps.get_model("campaigns", "Metric")
    for name, kind, lines, kpis in TEMPLATES:
        template, _ = template_model.objects.update_or_create(
            organization=None, name=name, defaults={"kind": kind, "description": f"The tracker's plan for a {name.lower()}."}
        )
        template.deliverables.all().delete()
        line_model.objects.bulk_create(
            line_model(
                template=template, title=title, type=type_, channel=channel, offset_business_days=offset,
                needs_signoff=signoff, needs_legal_review=legal,
            )
            for title, type_, channel, offset, signoff, legal in lines
        )
        template.kpi_metrics.set(metric_model.objects.filter(code__in=kpis))


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0005_templates")]
    operations = [migrations.RunPython(load_shipped_templates, migrations.RunPython.noop)]
