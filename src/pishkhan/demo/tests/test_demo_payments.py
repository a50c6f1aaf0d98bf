"""The demo city's payments: online through the fake bank, one pending, one at the card
reader, loaded once, with a ledger and a bank that agree."""

from __future__ import annotations

import pytest

from pishkhan.billing.ledger import check_ledger
from pishkhan.demo.city import load_demo_city
from pishkhan.fakebank import bank
from pishkhan.payments.models import Channel, Payment, PaymentStatus


@pytest.mark.django_db
def test_the_demo_city_has_paid_and_pending_payments_once() -> None:
    load_demo_city(parcels=120, citizens=30)
    online = Payment.objects.filter(channel=Channel.ONLINE)
    assert online.filter(status=PaymentStatus.CAPTURED).count() == 2
    assert online.filter(status=PaymentStatus.REDIRECTED).count() == 1
    assert Payment.objects.filter(channel=Channel.CARD_READER).count() == 1
    assert check_ledger().consistent
    paid = sum(p.amount for p in online.filter(status=PaymentStatus.CAPTURED))
    assert bank.net_captured() == paid
    count = Payment.objects.count()
    assert not load_demo_city(parcels=120, citizens=30).changed
    assert Payment.objects.count() == count
