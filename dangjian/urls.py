from django.contrib import admin
from django.urls import include, path

from dangjian.core import views as core_views
from dangjian.core.registry import app_modules

# Each app owns its public routes (`<app>/urls.py`) and its console routes (`<app>/console_urls.py`, all in one
# "console" namespace; a `url_prefix` in urls.py mounts it below a path); they are found by app, so adding a module means adding it to INSTALLED_APPS.
console_patterns = [pattern for module in app_modules("console_urls") for pattern in module.urlpatterns]

# A database outage met outside a view (e.g. saving the session) answers 503, not 500 or 400.
handler400 = "dangjian.core.outage.bad_request"
handler500 = "dangjian.core.outage.server_error"

urlpatterns = [
    *(path(getattr(module, "url_prefix", ""), include(module)) for module in app_modules("urls")),
    path("console/", include((console_patterns, "console"))),
    path("prefs/text-size/", core_views.text_size, name="text_size"),
    path("healthz/", core_views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
]

# No URL hands a path to a file server: every stored file is served by its record, through a view that checks
# who may see it (leader photos: organizations.views.leader_photo; case photos, policy attachments, evidence).
