"""Tracking links: the same page with UTM parameters naming who sent the visitor, so a registration counts for
the company whose link was used (utm_source)."""

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.utils.text import slugify


def utm_source_of(name: str) -> str:
    """ "Northwind Analytics" -> "northwind-analytics": what the company's link carries and an export shows."""
    return slugify(name)[:100]


def tracking_link(url: str, *, source: str, campaign: str, medium: str = "partner") -> str:
    """`url` with utm_source, utm_medium and utm_campaign set (any earlier UTM values replaced, other parameters
    and the fragment kept)."""
    parts = urlsplit(url)
    kept = [(key, value) for key, value in parse_qsl(parts.query, keep_blank_values=True) if not key.startswith("utm_")]
    utm = [("utm_source", source), ("utm_medium", medium), ("utm_campaign", slugify(campaign)[:100])]
    return urlunsplit(parts._replace(query=urlencode(kept + utm)))
