"""A retried create does not duplicate: a double click, a client's retry after a timeout or two tabs submitting
the same form make one row.

API: a POST with an `Idempotency-Key` header (any string up to 255 characters, e.g. a UUID) is answered once;
the same key with the same body within IDEMPOTENCY_WINDOW_HOURS gets the first answer again (marked
`Idempotent-Replayed: true`), with another body a 422. Admin: each add form carries a one-time token, and a
second submission of the same form leads to the row the first one made.
"""

import datetime
import hashlib
import json
import time
from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone

KEY_HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
# How long a second request with the same key waits for the first one's answer before being told to retry.
WAIT_SECONDS = 5.0


def _model():
    return apps.get_model("partners", "IdempotentRequest")


def fingerprint(method: str, path: str, body: Any) -> str:
    canonical = json.dumps(_canonical(body), sort_keys=True, cls=DjangoJSONEncoder, default=str)
    return hashlib.sha256(f"{method} {path}\n{canonical}".encode()).hexdigest()


def _canonical(value: Any) -> Any:
    """The body as plain data: every value of a form field, and an uploaded file by its name and content."""
    if isinstance(value, UploadedFile):
        digest = hashlib.sha256()
        for chunk in value.chunks():
            digest.update(chunk)
        value.seek(0)
        return {"file": value.name, "sha256": digest.hexdigest()}
    if hasattr(value, "getlist"):
        return {key: [_canonical(item) for item in value.getlist(key)] for key in value}
    if isinstance(value, dict):
        return {key: _canonical(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical(item) for item in value]
    return value


def claim(user, key: str, print_: str):
    """(record, True) when this request is the first with `key`; (the earlier record, False) otherwise."""
    model = _model()
    window = datetime.timedelta(hours=settings.IDEMPOTENCY_WINDOW_HOURS)
    model.objects.filter(user=user, created_at__lt=timezone.now() - window).delete()
    while True:
        try:
            with transaction.atomic():
                return model.objects.create(user=user, key=key, fingerprint=print_), True
        except IntegrityError:
            earlier = model.objects.filter(user=user, key=key).first()
            if earlier is not None:
                return earlier, False
            # The earlier request failed on the server's side and was forgotten in between: claim it again.


def settled(record, wait_seconds: float = WAIT_SECONDS):
    """The record once its first request has answered, or None if it still has not after `wait_seconds`."""
    deadline = time.monotonic() + wait_seconds
    while True:
        record.refresh_from_db()
        if record.status_code is not None:
            return record
        if time.monotonic() >= deadline:
            return None
        time.sleep(0.1)


def remember(record, status_code: int, answer: Any = None, location: str = "") -> None:
    record.status_code, record.location = status_code, location
    record.answer = json.dumps(answer, cls=DjangoJSONEncoder)
    record.save(update_fields=["status_code", "answer", "location"])


def forget(record) -> None:
    """A request that failed on the server's side is not remembered: the retry is tried again."""
    record.delete()


def answer_once(user, key: str, print_: str, respond: Callable[[], Any], *, replay, store, refuse):
    """Run `respond()` for the first request with `key` and remember its answer (`store(response)` gives
    (status, body, location) or None to forget it); later ones get `replay(record)`, or `refuse(status, text)`."""
    record, first = claim(user, key, print_)
    if not first:
        if record.fingerprint != print_:
            return refuse(422, f"This {KEY_HEADER} was already used for a different request. Use a new key.")
        done = settled(record)
        if done is None:
            return refuse(409, f"A request with this {KEY_HEADER} is still being answered. Try again shortly.")
        return replay(done)
    try:
        response = respond()
    except BaseException:
        forget(record)
        raise
    kept = store(response)
    if kept is None:
        forget(record)
    else:
        remember(record, *kept)
    return response
