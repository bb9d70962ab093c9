"""An upload handler that stops reading a request once a file passes the upload limit, so an
oversized upload is cut off while it streams in instead of first being written to disk whole.

Views that accept submission files install it first:
``request.upload_handlers.insert(0, SubmissionSizeLimitHandler(request))`` (before touching
request.POST / request.FILES). `add_file` enforces the same limit again on whatever it is given.
"""

from django.core.files.uploadhandler import FileUploadHandler, StopUpload

from .services import max_upload_bytes


class SubmissionSizeLimitHandler(FileUploadHandler):
    """Aborts the upload (StopUpload) as soon as one file exceeds SUBMISSION_MAX_UPLOAD_BYTES."""

    def __init__(self, request=None):
        super().__init__(request)
        self.limit = max_upload_bytes()
        self.received = 0
        self.exceeded = False

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self.exceeded = True
            if self.request is not None:
                self.request.upload_too_large = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size):
        return None
