from django.urls import path

from . import console

urlpatterns = [
    path("2fa/", console.two_factor, name="two_factor"),
    path("supervision/", console.inbox, name="supervision_inbox"),
    path("supervision/<int:report_id>/", console.report_page, name="supervision_report"),
    path(
        "supervision/<int:report_id>/evidence/<int:evidence_id>/",
        console.evidence_download,
        name="supervision_evidence",
    ),
    path("supervision/<int:report_id>/<slug:step>/", console.report_step, name="supervision_step"),
    path("supervision/officers/", console.officers_home, name="supervision_officers_home"),
    path("supervision/officers/<int:org_id>/", console.officers_page, name="supervision_officers"),
    path("supervision/keys/<int:org_id>/", console.unit_keys, name="supervision_keys"),
    path("supervision/audit/<int:org_id>/", console.audit_trail, name="supervision_audit"),
]
