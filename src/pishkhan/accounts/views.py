"""Sign-in and sign-out (the home page of each role is the portal's)."""

from __future__ import annotations

from django.contrib.auth import views as auth_views

from pishkhan.accounts.forms import SignInForm


class SignInView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True


class SignOutView(auth_views.LogoutView):
    """Sign-out by POST only (Django refuses GET), so a link or an image cannot sign out."""
