"""Routes of the columns area: `console` (mounted in the console namespace) and `public` (namespace publishing)."""

from django.urls import path

from . import column_views, digest_views, feeds, portal_views

console: list = [
    path("o/<int:org_id>/columns/", column_views.column_list, name="column_list"),
    path("o/<int:org_id>/columns/new/", column_views.column_edit, name="column_new"),
    path("o/<int:org_id>/columns/<int:column_id>/", column_views.column_edit, name="column_edit"),
    path("o/<int:org_id>/columns/<int:column_id>/archive/", column_views.column_archive, name="column_archive"),
]
public: list = [
    path("o/<int:org_id>/news/", portal_views.news_home, name="news"),
    path("o/<int:org_id>/news/all/", portal_views.news_list, name="news_list"),
    path("o/<int:org_id>/news/columns/<int:column_id>/", portal_views.column_list, name="column"),
    path("o/<int:org_id>/articles/<int:article_id>/", portal_views.article_detail, name="article"),
    path("o/<int:org_id>/articles/<int:article_id>/print/", portal_views.article_print, name="article_print"),
    path("o/<int:org_id>/news/rss.xml", feeds.organization_feed, {"kind": "rss"}, name="feed_rss"),
    path("o/<int:org_id>/news/atom.xml", feeds.organization_feed, {"kind": "atom"}, name="feed_atom"),
    path(
        "o/<int:org_id>/news/columns/<int:column_id>/rss.xml",
        feeds.column_feed,
        {"kind": "rss"},
        name="feed_column_rss",
    ),
    path(
        "o/<int:org_id>/news/columns/<int:column_id>/atom.xml",
        feeds.column_feed,
        {"kind": "atom"},
        name="feed_column_atom",
    ),
    path("o/<int:org_id>/news/subscribe/", digest_views.subscribe, name="digest_subscribe"),
    path("o/<int:org_id>/news/subscribe/<str:token>/", digest_views.confirm, name="digest_confirm"),
    path("o/<int:org_id>/news/unsubscribe/<str:token>/", digest_views.unsubscribe, name="digest_unsubscribe"),
]
