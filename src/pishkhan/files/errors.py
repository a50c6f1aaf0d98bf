"""Why an upload was not stored: a stable code and the Persian sentence a person reads."""

from __future__ import annotations


class UploadRefused(Exception):
    """The upload breaks a rule of the store (its type, size, pixels, its name)."""

    code = "upload_refused"
    default_message = "این پرونده پذیرفته نشد."

    def __init__(self, message: str | None = None, *, code: str | None = None) -> None:
        self.message = message or self.default_message
        if code:
            self.code = code
        super().__init__(self.message)


class UploadFailed(UploadRefused):
    """The upload was fine but could not be written (disk full, the object store down):
    nothing of it was kept, and trying again later may succeed."""

    code = "upload_failed"
    default_message = "ذخیره پرونده انجام نشد و چیزی از آن نگه داشته نشد؛ کمی بعد دوباره تلاش کنید."
