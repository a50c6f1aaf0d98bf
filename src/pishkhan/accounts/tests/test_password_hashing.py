"""Passwords are stored with Argon2id in production."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from django.contrib.auth.hashers import check_password
from django.test import override_settings

from pishkhan.accounts.models import User

SRC = Path(__file__).resolve().parents[3]
ARGON2_FIRST = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]


@override_settings(PASSWORD_HASHERS=ARGON2_FIRST)
def test_it_stores_passwords_as_argon2id(db: None) -> None:
    user = User.objects.create_user(username="hashed", password="a-long-passphrase-1402")

    assert user.password.startswith("argon2$argon2id$")
    assert check_password("a-long-passphrase-1402", user.password)


def test_it_puts_argon2_first_in_the_production_settings() -> None:
    # The production settings module is read in a fresh interpreter: importing it here
    # would replace this suite's settings.
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "HTTPS"}}
    env.update(SECRET_KEY="x" * 20 + "-a-long-random-production-secret-key-0123456789")
    code = "import pishkhan.settings as s; print('\\n'.join(s.PASSWORD_HASHERS))"
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**env, "PYTHONPATH": str(SRC)},
        check=False,
    )

    assert result.returncode == 0, result.stderr
    hashers = result.stdout.split()
    assert hashers[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
