"""Private brand assets (logos, guidelines, templates) of each company, for one campaign.

Files live on the private storage (MEDIA_ROOT, or a bucket) with random names and have no public URL: they are
served only by `campaigns.pages.views.brand_asset_download`, which checks that the user's company is a party of the
campaign.
"""

import uuid
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import Storage, storages
from django.db import models
from django.db.models import Q
from django.utils.deconstruct import deconstructible
from simple_history.models import HistoricalRecords

from campaigns.models.core import Campaign
from campaigns.models.kickoff import OwnCompanyChangeQuerySet, must_be_party
from partners.models import Organization, Person
from partners.scoping import own_company, own_person
from partners.scoping.versions import Versioned


@dataclass(frozen=True)
class FileSignature:
    content_type: str
    magic: tuple[bytes, ...]  # any of these prefixes
    # Office files are zip archives; the part that tells a document from a spreadsheet.
    zip_member_prefix: str | None = None
    magic_at: int = 0


_OOXML = "application/vnd.openxmlformats-officedocument"
ZIP_MAGIC = (b"PK\x03\x04",)
SIGNATURES: dict[str, FileSignature] = {
    "pdf": FileSignature("application/pdf", (b"%PDF-",)),
    "png": FileSignature("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "jpg": FileSignature("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": FileSignature("image/jpeg", (b"\xff\xd8\xff",)),
    "gif": FileSignature("image/gif", (b"GIF87a", b"GIF89a")),
    "webp": FileSignature("image/webp", (b"WEBP",), magic_at=8),
    "docx": FileSignature(f"{_OOXML}.wordprocessingml.document", ZIP_MAGIC, zip_member_prefix="word/"),
    "pptx": FileSignature(f"{_OOXML}.presentationml.presentation", ZIP_MAGIC, zip_member_prefix="ppt/"),
    "xlsx": FileSignature(f"{_OOXML}.spreadsheetml.sheet", ZIP_MAGIC, zip_member_prefix="xl/"),
    "zip": FileSignature("application/zip", ZIP_MAGIC),
}
# The uploaded file's name is kept (as `original_name`) to show and to download it under: a longer one is refused
# before anything is saved, not cut (a cut name could lose what tells two files apart).
FILE_NAME_MAX_LENGTH = 200
# Formats that can carry script when opened in a browser.
REFUSED_EXTENSIONS = {"svg", "svgz", "html", "htm", "xhtml", "xml", "js"}


def _extension(name: str) -> str:
    return PurePath(name).suffix.lower().lstrip(".")


# A zip is read by its directory only (never extracted), but a partner may unpack it: both bounded. The number
# of members is read from the end record before the directory is (listing 200,000 members took over 100 MB).
ZIP_MAX_MEMBERS = 10_000
ZIP_MAX_UNPACKED_BYTES = 512 * 1024 * 1024


def _check_zip_size(upload) -> None:
    """Refuse a zip of more than ZIP_MAX_MEMBERS files from its end-of-central-directory record alone (stdlib's own
    reader of it, zip64 included), before its directory is listed."""
    end_record = zipfile._EndRecData(upload)
    if end_record is None:
        raise zipfile.BadZipFile("no end of central directory")
    if end_record[zipfile._ECD_ENTRIES_TOTAL] > ZIP_MAX_MEMBERS:
        raise ValidationError(f"The archive holds more than {ZIP_MAX_MEMBERS:,} files, the most accepted.")


def _check_unpacked_size(archive: zipfile.ZipFile) -> None:
    unpacked = sum(member.file_size for member in archive.infolist())
    if unpacked > ZIP_MAX_UNPACKED_BYTES:
        raise ValidationError(
            f"The archive unpacks to {unpacked / (1024 * 1024):,.0f} MB; "
            f"the limit is {ZIP_MAX_UNPACKED_BYTES // (1024 * 1024)} MB."
        )


def _matches(signature: FileSignature, upload) -> bool:
    upload.seek(0)
    head = upload.read(signature.magic_at + 16)
    upload.seek(0)
    if not any(head[signature.magic_at :].startswith(magic) for magic in signature.magic):
        return False
    if signature.magic == ZIP_MAGIC:
        try:
            _check_zip_size(upload)
            with zipfile.ZipFile(upload) as archive:
                names = archive.namelist()
                _check_unpacked_size(archive)
        except zipfile.BadZipFile:
            return False
        finally:
            upload.seek(0)
        if signature.zip_member_prefix:
            return "[Content_Types].xml" in names and any(n.startswith(signature.zip_member_prefix) for n in names)
    return True


def validate_brand_file(upload, name: str) -> str:
    """The content type of an accepted upload; a ValidationError a person understands otherwise."""
    if len(name) > FILE_NAME_MAX_LENGTH:
        raise ValidationError(
            f"“{name[:40]}…”: the file's name is {len(name)} characters long; "
            f"rename it to at most {FILE_NAME_MAX_LENGTH} characters and upload it again."
        )
    extension = _extension(name)
    allowed = ", ".join(sorted(SIGNATURES))
    if extension in REFUSED_EXTENSIONS:
        raise ValidationError(
            f"“{name}”: {extension.upper()} files can run scripts in a browser and are not accepted. "
            f"Upload a PNG or PDF instead (allowed: {allowed})."
        )
    signature = SIGNATURES.get(extension)
    if signature is None:
        raise ValidationError(f"“{name}” is not an allowed file type. Allowed: {allowed}.")
    limit = settings.BRAND_ASSET_MAX_UPLOAD_MB * 1024 * 1024
    if upload.size > limit:
        raise ValidationError(
            f"“{name}” is {upload.size / (1024 * 1024):.1f} MB; the limit is {settings.BRAND_ASSET_MAX_UPLOAD_MB} MB."
        )
    if not _matches(signature, upload):
        raise ValidationError(f"“{name}” does not contain what its name says: it is not a real .{extension} file.")
    return signature.content_type


@deconstructible(path="campaigns.models.assets.PrivateStorage")
class PrivateStorage(Storage):
    """Files without a public URL; a scoped view serves them. They live on the storage configured as
    STORAGES["private"]: the local disk under MEDIA_ROOT by default, a bucket of private objects on S3-compatible
    object storage when S3_BUCKET is set (shared by every web and worker machine). Looked up when used, not at
    import, so settings decide it and the migrations name this class whatever is configured."""

    @property
    def backend(self) -> Storage:
        return storages["private"]

    def _open(self, name: str, mode: str = "rb"):
        return self.backend.open(name, mode)

    def save(self, name, content, max_length=None) -> str:
        return self.backend.save(name, content, max_length=max_length)

    def delete(self, name: str) -> None:
        self.backend.delete(name)

    def exists(self, name: str) -> bool:
        return self.backend.exists(name)

    def size(self, name: str) -> int:
        return self.backend.size(name)

    def listdir(self, path: str):
        return self.backend.listdir(path)

    def url(self, name: str | None) -> str:
        return ""


private_storage = PrivateStorage()


def _private_path(instance: "BrandAsset", filename: str) -> str:
    # A random name: nothing about the campaign or company can be guessed from it.
    return f"private/brand-assets/{uuid.uuid4().hex}.{_extension(filename)}"


class BrandAssetQuerySet(OwnCompanyChangeQuerySet):
    server_owned = {"organization": own_company, "uploaded_by": own_person}


class BrandAsset(Versioned):
    class Kind(models.TextChoices):
        GUIDELINES = "guidelines", "Brand guidelines"
        LOGO = "logo", "Logo files"
        TEMPLATE = "template", "Template"
        OTHER = "other", "Other"

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="brand_assets")
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", help_text="The company whose brand this is."
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    title = models.CharField(max_length=200)
    file = models.FileField(upload_to=_private_path, storage=private_storage, blank=True, max_length=200)
    link = models.URLField(blank=True, help_text="Or a link, e.g. to the company's brand portal.")
    original_name = models.CharField(max_length=FILE_NAME_MAX_LENGTH, blank=True, editable=False)
    content_type = models.CharField(max_length=120, blank=True, editable=False)
    uploaded_by = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, editable=False, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = BrandAssetQuerySet.as_manager()

    class Meta:
        ordering = ["campaign_id", "organization__name", "kind", "title"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(file="") | ~Q(link=""),
                name="brand_asset_file_or_link",
                violation_error_message="Upload a file or give a link.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.organization})"

    def clean(self) -> None:
        must_be_party(self.campaign_id, self.organization if self.organization_id else None, "organization")
        if not self.file and not self.link:
            raise ValidationError("Upload a file or give a link.")
        if self.file and not self.file._committed:
            name = PurePath(self.file.name).name
            try:
                self.content_type = validate_brand_file(self.file, name)
            except ValidationError as error:
                raise ValidationError({"file": error.messages}) from None
            self.original_name = name
