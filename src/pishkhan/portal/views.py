"""The pages people see around their work: the home page of each role."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from pishkhan.accounts.access import principal_for
from pishkhan.portal.home import home_context


@login_required
def home(request: HttpRequest) -> HttpResponse:
    context = home_context(principal_for(request))
    return render(request, context.template, context.data)
