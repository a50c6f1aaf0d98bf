"""Abstract bases shared by every app."""

from __future__ import annotations

from django.db import models


class TimeStamped(models.Model):
    created_at = models.DateTimeField("زمان ایجاد", auto_now_add=True)
    updated_at = models.DateTimeField("زمان آخرین تغییر", auto_now=True)

    class Meta:
        abstract = True
