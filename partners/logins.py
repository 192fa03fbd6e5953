"""A login whose password changes, or that is deactivated, loses its API tokens at once.

Its sessions end without help: Django keeps a hash of the password in each session and logs out the ones that
no longer match (the session that changed the password is kept by `update_session_auth_hash`), and the
authentication backend refuses the session of an inactive login. An API token (django-rest-knox) would live on
until it expires (API_TOKEN_HOURS), so it is revoked here, whichever door saved the login (the admin, a welcome
link, a management command). A bulk `update()` sends no signal: whoever deactivates logins in bulk calls
`api_tokens_revoke` for them.
"""

from django.conf import settings
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver
from knox.models import AuthToken

CREDENTIAL_FIELDS = frozenset({"password", "is_active"})


def api_tokens_revoke(user) -> int:
    """Revoke every API token of a login; returns how many there were."""
    revoked, _ = AuthToken.objects.filter(user=user).delete()
    return revoked


@receiver(pre_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="partners-credentials-changing")
def _note_credentials_change(sender, instance, update_fields=None, **kwargs) -> None:
    # A new hash counts, the one a hash upgrade writes at login too (Django's sessions count it as well).
    instance._credentials_changed = False
    if instance.pk is None or (update_fields is not None and not CREDENTIAL_FIELDS & set(update_fields)):
        return
    stored = sender._default_manager.filter(pk=instance.pk).values("password", "is_active").first()
    if stored is not None:
        deactivated = stored["is_active"] and not instance.is_active
        instance._credentials_changed = deactivated or stored["password"] != instance.password


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="partners-credentials-changed")
def _revoke_tokens_on_credentials_change(sender, instance, created, **kwargs) -> None:
    if getattr(instance, "_credentials_changed", False):
        api_tokens_revoke(instance)
