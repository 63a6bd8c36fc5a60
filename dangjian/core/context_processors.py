from django.conf import settings
from django.core.exceptions import DisallowedHost

LARGE_TEXT_COOKIE = "dj_large_text"


def display_preferences(request):
    """Display preferences a visitor chose (large text for older readers), and the site name."""

    def share_origin() -> str:
        """scheme://host for the share metadata's absolute URLs; empty for a host we do not serve."""
        try:
            return f"{request.scheme}://{request.get_host()}"
        except DisallowedHost:
            return ""

    return {
        "large_text": request.COOKIES.get(LARGE_TEXT_COOKIE) == "1",
        "platform_name": settings.SITE_NAME,
        "share_origin": share_origin,
    }
