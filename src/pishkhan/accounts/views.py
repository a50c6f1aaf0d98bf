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
    pass


@login_required
def home(request: HttpRequest) -> HttpResponse:
    principal = principal_for(request)
    context = home_context(request.user, principal)
    return render(request, context.template, context.data)
