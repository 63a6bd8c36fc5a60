"""System check: every registered kind names only channels that exist."""

from django.core import checks

from . import channels, kinds


@checks.register()
def kinds_use_known_channels(app_configs, **kwargs):
    known = channels.names()
    return [
        checks.Error(f"Notification kind {kind.name!r} uses the unknown channel {name!r}.", id="notifications.E001")
        for kind in kinds.registered().values()
        for name in kind.channels
        if name not in known
    ]
