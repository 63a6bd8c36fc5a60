from django.conf import settings

LARGE_TEXT_COOKIE = "dj_large_text"


def display_preferences(request):
    """Display preferences a visitor chose (large text for older readers), and the site name."""

    def is_discipline_officer() -> bool:  # called by the template only where it is used
        user = getattr(request, "user", None)
        return bool(user and user.is_authenticated and user.role_grants.filter(role="discipline").exists())

    def unread_notifications() -> int:
        user = getattr(request, "user", None)
        return user.notifications.filter(read_at__isnull=True).count() if user and user.is_authenticated else 0

    def holds_a_role() -> bool:
        from dangjian.accounts.permissions import can_use_console

        user = getattr(request, "user", None)
        return bool(user and user.is_authenticated and can_use_console(user))

    return {
        "holds_a_role": holds_a_role,
        "unread_notifications": unread_notifications,
        "large_text": request.COOKIES.get(LARGE_TEXT_COOKIE) == "1",
        "platform_name": settings.SITE_NAME,
        "is_discipline_officer": is_discipline_officer,
    }
