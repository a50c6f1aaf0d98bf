from __future__ import annotations

from django.contrib.auth.forms import AuthenticationForm

from pishkhan.core.digits import to_ascii_digits


class SignInForm(AuthenticationForm):
    """Sign-in by user name (staff) or national ID (citizens), Persian digits accepted."""

    error_messages = {
        "invalid_login": "نام کاربری یا گذرواژه درست نیست.",
        "inactive": "این حساب غیرفعال است.",
    }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["username"].label = "نام کاربری یا کد ملی"
        self.fields["password"].label = "گذرواژه"

    def clean_username(self) -> str:
        return to_ascii_digits(self.cleaned_data.get("username", "")).strip()
