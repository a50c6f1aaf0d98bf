"""Staff pages across the office: the search box (every staff page's header posts to
it) and the office manager's view. Thin views: parse → access → do → respond.

A search may be a national ID, so it is only ever posted: the results page is rendered
from the POST and its pager posts the search on; a query string is ignored.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.views.decorators.http import require_http_methods

from pishkhan.accounts.access import principal_for, role_required
from pishkhan.cases.search import SEARCH_ROLES, search_page


@require_http_methods(["GET", "HEAD", "POST"])
@role_required(*SEARCH_ROLES)
def search(request: HttpRequest) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    page = search_page(
        request.user, principal_for(request), data, data.get("page") if data else None
    )
    carry = [("q", str(data.get("q", "")))] if data and page.searched else []
    context = {
        "page": page,
        "filter_action": reverse("cases:search"),
        "carry_tab": carry,
        "carry_page": carry,
    }
    return render(request, "cases/search.html", context)


urlpatterns: list[URLPattern] = [
    path("search/", search, name="search"),
]
