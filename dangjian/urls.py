from django.contrib import admin
from django.urls import include, path

from dangjian.accounts import console_urls as accounts_console
from dangjian.core import views as core_views
from dangjian.feedback import console_urls as feedback_console
from dangjian.notifications import console_urls as notifications_console
from dangjian.organizations import console_urls as organizations_console
from dangjian.policies import console_urls as policies_console
from dangjian.supervision import console_urls as supervision_console

# Each app owns its console routes; they share the "console" namespace.
console_patterns = (
    organizations_console.urlpatterns
    + policies_console.urlpatterns
    + accounts_console.urlpatterns
    + feedback_console.urlpatterns
    + supervision_console.urlpatterns
    + notifications_console.urlpatterns
)

# A database outage met outside a view (e.g. saving the session) answers 503, not 500 or 400.
handler400 = "dangjian.core.outage.bad_request"
handler500 = "dangjian.core.outage.server_error"

urlpatterns = [
    path("", include("dangjian.organizations.urls")),
    path("", include("dangjian.policies.urls")),
    path("", include("dangjian.feedback.urls")),
    path("", include("dangjian.supervision.urls")),
    path("accounts/", include("dangjian.accounts.urls")),
    path("console/", include((console_patterns, "console"))),
    path("prefs/text-size/", core_views.text_size, name="text_size"),
    path("healthz/", core_views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
]

# No URL hands a path to a file server: every stored file is served by its record, through a view that checks
# who may see it (leader photos: organizations.views.leader_photo; case photos, policy attachments, evidence).
