"""The seams tests use the case tests' world (two districts, their offices and people)."""

from pishkhan.cases.tests.conftest import world  # noqa: F401 - a fixture, used by name
