"""Console routes of the usage summaries (in the shared "console" namespace); each area lists its own."""

from . import report_urls

urlpatterns = [*report_urls.console]
