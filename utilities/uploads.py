"""Request bodies bounded before they are read: an upload larger than any form takes is refused from its
Content-Length, before Django writes a byte of it to memory or disk (files are not counted by
DATA_UPLOAD_MAX_MEMORY_SIZE). The admin answers it with 400, the API with 413 (comarketing.api.exceptions)."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler


def body_limit_message(limit: int) -> str:
    return f"The request is larger than {limit / (1024 * 1024):g} MB, the most this site accepts."


class UploadTooBig(RequestDataTooBig):
    def __init__(self, limit: int):
        super().__init__(body_limit_message(limit))
        self.limit = limit


class BoundedUploadHandler(FileUploadHandler):
    """First of FILE_UPLOAD_HANDLERS: looks at the declared size only and passes the data on untouched."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length > settings.UPLOAD_MAX_BYTES:
            raise UploadTooBig(settings.UPLOAD_MAX_BYTES)

    def receive_data_chunk(self, raw_data, start):
        return raw_data

    def file_complete(self, file_size):
        return None
