"""Personal data never reaches a log line: the whole formatted record is masked (message,
exception text, stack), for our loggers, Django's request and server loggers and the
root, whatever digits or URL encoding carry it."""

from __future__ import annotations

import io
import logging
import sys
from collections.abc import Iterator

import pytest
from django.conf import settings

from pishkhan.core.logging import MaskingFormatter, mask_text

NATIONAL_ID = "0076229645"
MOBILE = "09121234567"
PERSIAN_NATIONAL_ID_ENCODED = "".join(f"%DB%B{d}" for d in NATIONAL_ID)  # ۰۰۷۶۲۲۹۶۴۵


def leaks(text: str) -> list[str]:
    return [
        secret
        for secret in (NATIONAL_ID, MOBILE, "9121234567", "۰۰۷۶۲۲۹۶۴۵", PERSIAN_NATIONAL_ID_ENCODED)
        if secret in text
    ]


@pytest.fixture
def console() -> Iterator[io.StringIO]:
    """What the configured console handler (settings.LOGGING) writes."""
    handler = next(h for h in logging.getLogger().handlers if h.get_name() == "console")
    assert isinstance(handler, logging.StreamHandler)
    stream = io.StringIO()
    previous = handler.setStream(stream)
    try:
        yield stream
    finally:
        handler.setStream(previous)


def test_every_handler_formats_through_the_masking_formatter() -> None:
    formatters = settings.LOGGING["formatters"]
    for name, handler in settings.LOGGING["handlers"].items():
        formatter = formatters[handler["formatter"]]
        assert formatter["()"] == "pishkhan.core.logging.MaskingFormatter", name
    # Django's own handlers (the dev server's plain stream, mail to admins) are replaced:
    # its records go up to the root's masked console
    for name in ("django", "django.server", "django.request"):
        logger = logging.getLogger(name)
        assert logger.handlers == [], name
        assert logger.propagate, name


def test_an_exception_text_is_masked(console: io.StringIO) -> None:
    try:
        raise ValueError(
            'duplicate key value violates unique constraint "accounts_citizen_national_id_key"'
            f"\nDETAIL:  Key (national_id)=({NATIONAL_ID}) already exists; mobile {MOBILE}"
        )
    except ValueError:
        logging.getLogger("django.request").error(
            "Internal Server Error: %s", "/cases/new/", exc_info=True
        )
    text = console.getvalue()
    assert "Key (national_id)=(******9645)" in text
    assert "Traceback" in text
    assert leaks(text) == []


def log_with_stack(national_id: str) -> None:
    logging.getLogger("pishkhan.test").warning("checked %s", national_id[-4:], stack_info=True)


def test_stack_info_is_masked(console: io.StringIO) -> None:
    log_with_stack("0076229645")  # this source line, with the ID, is in the stack
    text = console.getvalue()
    assert "Stack (most recent call last)" in text
    assert leaks(text) == []


@pytest.mark.parametrize(
    "query",
    [
        f"national_id={NATIONAL_ID}&mobile={MOBILE}",
        f"national_id={PERSIAN_NATIONAL_ID_ENCODED}&mobile=%2B98{MOBILE[1:]}",
        "national_id=۰۰۷۶۲۲۹۶۴۵",
    ],
    ids=["ascii", "url-encoded-persian", "persian"],
)
def test_a_query_string_in_a_server_line_is_masked(console: io.StringIO, query: str) -> None:
    # what runserver's request handler logs for every request
    logging.getLogger("django.server").info(
        '"%s" %s %s',
        f"GET /cases/cartable/?{query} HTTP/1.1",
        "200",
        "5120",
        extra={"status_code": 200, "server_time": "01/Dec/2026 10:00:00"},
    )
    text = console.getvalue()
    assert "GET /cases/cartable/?national_id=******9645" in text
    assert leaks(text) == []


def test_a_request_warning_with_a_path_is_masked(console: io.StringIO) -> None:
    logging.getLogger("django.request").warning("Not Found: %s", f"/citizens/{NATIONAL_ID}/")
    text = console.getvalue()
    assert "Not Found: /citizens/******9645/" in text
    assert leaks(text) == []


def test_the_formatter_masks_what_other_handlers_reuse() -> None:
    try:
        raise ValueError(NATIONAL_ID)
    except ValueError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", None, None)
        record.exc_info = sys.exc_info()
    out = MaskingFormatter("%(message)s").format(record)
    assert leaks(out) == []
    # the exception text cached on the record for the next handler is masked too
    assert record.exc_text is not None
    assert leaks(record.exc_text) == []


def test_mask_text_leaves_other_numbers_and_text_alone() -> None:
    text = "invoice 0076229646 printed, ۱۲ items, card 6037 ends"
    assert mask_text(text) == text
    assert mask_text("card 6037991234567890 paid") == "card 603799******7890 paid"
    assert mask_text("/cases/?page=2&tab=near") == "/cases/?page=2&tab=near"
