from django.contrib import admin
from django.urls import include, path

from dangjian.core import views as core_views
from dangjian.core.registry import app_modules

# Each app owns its public routes (`<app>/urls.py`) and its console routes (`<app>/console_urls.py`, all in one
# "console" namespace; a `url_prefix` in urls.py mounts it below a path); they are found by app, so adding a module means adding it to INSTALLED_APPS.
console_patterns = [pattern for module in app_modules("console_urls") for pattern in module.urlpatterns]

# The error pages, in Chinese in the site's frame with a way back (organizations/errors.py). A database outage
# met outside a view (e.g. saving the session) still answers 503 (core.outage), not 500 or 400.
handler400 = "dangjian.organizations.errors.bad_request"
handler403 = "dangjian.organizations.errors.permission_denied"
handler404 = "dangjian.organizations.errors.page_not_found"
handler500 = "dangjian.organizations.errors.server_error"

urlpatterns = [
    *(path(getattr(module, "url_prefix", ""), include(module)) for module in app_modules("urls")),
    path("console/", include((console_patterns, "console"))),
    path("prefs/text-size/", core_views.text_size, name="text_size"),
    path("healthz/", core_views.healthz, name="healthz"),
    path("favicon.ico", core_views.favicon, name="favicon"),
    path("admin/", admin.site.urls),
]

# No URL hands a path to a file server: every stored file is served by its record, through a view that checks
# who may see it (leader photos: organizations.views.leader_photo; case photos, policy attachments, evidence).
