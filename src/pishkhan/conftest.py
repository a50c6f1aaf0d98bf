"""Fixtures shared by the tests of every app under src/pishkhan: the people and places of
pishkhan.testing.personas, built through the real actions.

- ``build``: a `Builder` (single valid rows: districts, offices, staff with roles,
  citizens, parcels, services, contracts, tariffs);
- ``city``: a `City` (two districts and offices, a person per role, two citizens, the
  workflow services);
- ``actions_builder``, ``city_builder``: the names the suite used before, the same
  Builder as ``build``; the cases' ``world`` is a City (cases/tests/conftest.py).
"""

from __future__ import annotations

import pytest

from pishkhan.testing.personas import TEST_PASSWORD, Builder, City, valid_national_id


@pytest.fixture
def build(db: None) -> Builder:
    """Valid rows through the do_* actions (see pishkhan.testing.personas)."""
    return Builder()


@pytest.fixture
def city(build: Builder) -> City:
    """The personas' city: alice, bob, charlie, the district staff, two citizens …"""
    return build.city()


@pytest.fixture
def actions_builder(build: Builder) -> Builder:
    return build


@pytest.fixture
def city_builder(build: Builder) -> Builder:
    return build


# For tests written before the personas module, which import these names from here;
# new tests import from pishkhan.testing.personas. Remove once nothing imports them.
ActionsBuilder = CityBuilder = Builder

__all__ = ["TEST_PASSWORD", "ActionsBuilder", "CityBuilder", "valid_national_id"]
