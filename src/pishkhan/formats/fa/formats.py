"""Persian number formats: Django's fa locale groups no digits, so we set them here."""

from django.conf.locale.fa.formats import *  # type: ignore[import-untyped]  # noqa: F403

NUMBER_GROUPING = 3
THOUSAND_SEPARATOR = "\u066c"
DECIMAL_SEPARATOR = "\u066b"
