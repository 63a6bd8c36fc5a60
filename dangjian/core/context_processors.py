from django.conf import settings

LARGE_TEXT_COOKIE = "dj_large_text"


def display_preferences(request):
    """Display preferences a visitor chose (large text for older readers), and the site name."""
    return {
        "large_text": request.COOKIES.get(LARGE_TEXT_COOKIE) == "1",
        "platform_name": settings.SITE_NAME,
    }
