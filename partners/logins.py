"""A login whose password changes, or that is deactivated, loses its API tokens and its sessions at once.

Django keeps a hash of the password in each session and would refuse the ones that no longer match on their next
request, and the authentication backend refuses the session of an inactive login; the sessions are deleted here all
the same, so that nothing of them is left to revive (the session that changed the password is kept: Django's
`update_session_auth_hash` moves it to a new key). An API token (django-rest-knox) would live on until it expires
(API_TOKEN_HOURS), so it is revoked here, whichever door saved the login (the admin, a welcome or reset link, a
management command). A bulk `update()` sends no signal: whoever deactivates logins in bulk calls `login_close` for
them.
"""

from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver
from django.utils import timezone
from knox.models import AuthToken

CREDENTIAL_FIELDS = frozenset({"password", "is_active"})


def api_tokens_revoke(user) -> int:
    """Revoke every API token of a login; returns how many there were."""
    revoked, _ = AuthToken.objects.filter(user=user).delete()
    return revoked


def sessions_end(user) -> int:
    """Delete every unexpired session of a login (database sessions: each one's data is read to find its login);
    returns how many."""
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    ended = []
    for key, data in Session.objects.filter(expire_date__gt=timezone.now()).values_list("session_key", "session_data"):
        decoded = store.decode(data)
        if decoded.get(SESSION_KEY) == str(user.pk):
            ended.append(key)
    Session.objects.filter(session_key__in=ended).delete()
    return len(ended)


def login_close(user) -> None:
    """Every door of a login closes now: its API tokens and its sessions."""
    api_tokens_revoke(user)
    sessions_end(user)


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
        login_close(instance)
