"""The site's URLs, plus a stand-in for the portal's article page (`publishing:article`, written by the portal
area) when it is not there: publishing pushes a link to it (pushing.article_url). The real page, when present,
comes first and is the one resolved."""

from django.http import HttpResponse
from django.urls import URLResolver, include, path

from dangjian import urls as root
from dangjian.publishing import urls as publishing_urls


def _article_page(request, org_id: int, article_id: int):
    return HttpResponse(b"")


_STAND_IN = [path("o/<int:org_id>/articles/<int:article_id>/", _article_page, name="article")]

urlpatterns: list = []
for pattern in root.urlpatterns:
    if isinstance(pattern, URLResolver) and pattern.app_name == "publishing":
        urlpatterns.append(
            path(str(pattern.pattern), include(([*publishing_urls.urlpatterns, *_STAND_IN], "publishing")))
        )
    else:
        urlpatterns.append(pattern)

handler400 = root.handler400
handler403 = root.handler403
handler404 = root.handler404
handler500 = root.handler500
