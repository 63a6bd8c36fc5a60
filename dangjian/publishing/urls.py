"""Public routes of publishing: the portal's columns and articles, feeds, images and attachments, digests."""

from . import article_urls, column_urls

app_name = "publishing"

urlpatterns = [
    *article_urls.public,
    *column_urls.public,
]
