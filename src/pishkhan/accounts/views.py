"""Sign-in, sign-out and the home page of each role."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from pishkhan.accounts.access import principal_for
from pishkhan.accounts.forms import SignInForm
from pishkhan.accounts.home import home_context


class SignInView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True


class SignOutView(auth_views.LogoutView):
    """Sign-out by POST only (Django refuses GET), so a link or an image cannot sign out."""


@login_required
def home(request: HttpRequest) -> HttpResponse:
    context = home_context(principal_for(request))
    return render(request, context.template, context.data)
