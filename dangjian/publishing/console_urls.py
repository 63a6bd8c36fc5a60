"""Console routes of publishing (in the shared "console" namespace). Each area lists its own routes in its own
module; this file only joins them."""

from . import article_urls, column_urls, notice_urls, submission_urls

urlpatterns = [
    *article_urls.console,
    *column_urls.console,
    *submission_urls.console,
    *notice_urls.console,
]
