import hashlib
import json
from collections.abc import Mapping


def content_fingerprint(values: Mapping[str, object]) -> str:
    """SHA-256 (hex) of `values` as canonical JSON: keys sorted, no spaces, text as it is (not \\u-escaped).

    Equal values give equal fingerprints whatever the order they were gathered in, on any database.
    """
    canonical = json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()
