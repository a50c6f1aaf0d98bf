"""The production settings pass Django's deployment checklist."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pishkhan.documents.signing import make_self_signed

ROOT = Path(__file__).resolve().parents[4]


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "HTTPS", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE", "ALLOWED_HOSTS"}
    }
    clean.update(DJANGO_SETTINGS_MODULE="pishkhan.settings", **env)
    return subprocess.run(  # noqa: S603
        [sys.executable, str(ROOT / "manage.py"), *args],
        capture_output=True,
        text=True,
        env=clean,
        check=False,
    )


# Production names the bank adapter the city installed; the deploy check refuses the
# built-in fake bank (payments/checks.py).
CITY_BANK = "city-bank"


@pytest.fixture(scope="module")
def city_signing(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The city's own signing key and certificate (documents/signing.py): without them
    the deploy check warns that documents are signed with the demo certificate."""
    folder = tmp_path_factory.mktemp("signing")
    key, cert = folder / "city-key.pem", folder / "city-cert.pem"
    make_self_signed(key, cert, "Isfahan municipality (test)")
    return {"PISHKHAN_SIGNING_KEY": str(key), "PISHKHAN_SIGNING_CERT": str(cert)}


def test_it_passes_the_deploy_check_with_production_settings(
    city_signing: dict[str, str],
) -> None:
    # given production settings: DEBUG off by default, a real secret key and a host
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING",
        SECRET_KEY="x" * 20 + "a-long-random-production-secret-key-0123456789",
        ALLOWED_HOSTS="pishkhan.example.ir",
        PISHKHAN_PAYMENT_GATEWAY=CITY_BANK,
        **city_signing,
    )  # fmt: skip
    # then Django's deployment checklist has nothing to say
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_it_refuses_to_start_without_a_secret_key_when_debug_is_off() -> None:
    result = run_manage("check", ALLOWED_HOSTS="pishkhan.example.ir")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
    assert "Traceback" not in result.stderr.splitlines()[-1]


def test_it_reads_the_secret_key_from_a_file(tmp_path: Path, city_signing: dict[str, str]) -> None:
    secret = tmp_path / "secret"
    secret.write_text("f" * 30 + "-a-long-random-secret-from-a-file-0123456789\n")
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING",
        SECRET_KEY_FILE=str(secret), ALLOWED_HOSTS="pishkhan.example.ir",
        PISHKHAN_PAYMENT_GATEWAY=CITY_BANK, **city_signing,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("value", ["maybe", "2"])
def test_it_refuses_a_malformed_boolean(value: str) -> None:
    result = run_manage("check", DEBUG=value)
    assert result.returncode != 0
    assert "DEBUG must be one of" in result.stderr


def test_it_refuses_an_address_sign_in_limit_below_the_name_limit() -> None:
    result = run_manage(
        "check",
        DEBUG="1",
        PISHKHAN_LOGIN_FAILURE_LIMIT="5",
        PISHKHAN_LOGIN_ADDRESS_FAILURE_LIMIT="3",
    )
    assert result.returncode != 0
    assert "PISHKHAN_LOGIN_ADDRESS_FAILURE_LIMIT must not be below" in result.stderr


def test_the_deploy_check_refuses_the_fake_bank(city_signing: dict[str, str]) -> None:
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING",
        SECRET_KEY="x" * 20 + "a-long-random-production-secret-key-0123456789",
        ALLOWED_HOSTS="pishkhan.example.ir", **city_signing,
    )  # fmt: skip
    assert result.returncode != 0
    assert "pishkhan.payments.E001" in result.stdout + result.stderr
