"""Time and peak memory (tracemalloc) of refusing the two uploads issue 23 measured: a 5 MB CRM export of
one-character rows (mapped to a stage, so every row is a lead) and a zip of 200,000 members. Prints figures, asserts
nothing. Run from the checkout:

    COMARKETING_VAR_DIR=/tmp/var-bench python -m tests.campaigns.bench_uploads
"""

import io
import os
import time
import tracemalloc
import zipfile

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "comarketing.settings_test")
import django  # noqa: E402

django.setup()

from django.core.exceptions import ValidationError  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402


def _outcome(work) -> str:
    try:
        work()
    except ValidationError as refused:
        return "refused: " + refused.messages[0][:70]
    return "accepted"


def measure(label: str, work) -> None:
    """Timed on its own (tracing slows Python several times over), then run again under tracemalloc."""
    started = time.perf_counter()
    outcome = _outcome(work)
    seconds = time.perf_counter() - started
    tracemalloc.start()
    _outcome(work)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"{label:<40} {seconds:6.2f} s  {peak / 2**20:8.1f} MB peak  {outcome}")


def crm_export() -> bytes:
    from campaigns.services.crm_imports import MAX_BYTES

    return b"Lead Status\n" + b"N\n" * ((MAX_BYTES - 12) // 2)


def zip_of_members(count: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for number in range(count):
            archive.writestr(f"{number}", b"")
    return buffer.getvalue()


def main() -> None:
    from campaigns.models.assets import validate_brand_file
    from campaigns.services import crm_imports

    content = crm_export()

    # The CRM export without the database: the reading and counting the service does, with a mapping of "N".
    def read_export():
        for _ in crm_imports._counted_rows(crm_imports._reader(content)):
            pass

    measure(f"CRM export, {len(content) / 2**20:.0f} MB of 1-char rows", read_export)
    archive = zip_of_members(200_000)
    upload = SimpleUploadedFile("logos.zip", archive)
    measure(f"zip of 200,000 members ({len(archive) / 2**20:.0f} MB)", lambda: validate_brand_file(upload, "logos.zip"))


if __name__ == "__main__":
    main()
