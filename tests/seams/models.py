from django.db import models


class EffectRow(models.Model):
    """Written by the seams_record_entry effect: exists exactly while its case is done."""

    case_id = models.BigIntegerField(unique=True)
    event_seq = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"{self.case_id}@{self.event_seq}"


class Delivery(models.Model):
    """Written by the seams.record_delivery receiver, once per outbox key."""

    key = models.CharField(max_length=200, unique=True)
    action = models.CharField(max_length=40)

    def __str__(self) -> str:
        return self.key
