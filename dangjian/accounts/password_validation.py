"""Django's password validators with the site's own words: they address the user as 您 (Django's Chinese says 你)
and say what to do. Same rules, same error codes; only the messages differ (settings.AUTH_PASSWORD_VALIDATORS)."""

from django.contrib.auth import password_validation as django_validation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


class MinimumLengthValidator(django_validation.MinimumLengthValidator):
    def get_error_message(self):
        return (
            ngettext(
                "The password is too short: use at least %d character.",
                "The password is too short: use at least %d characters.",
                self.min_length,
            )
            % self.min_length
        )

    def get_help_text(self):
        return ngettext(
            "Your password needs at least %(min_length)d character.",
            "Your password needs at least %(min_length)d characters.",
            self.min_length,
        ) % {"min_length": self.min_length}


class UserAttributeSimilarityValidator(django_validation.UserAttributeSimilarityValidator):
    def get_error_message(self):
        return _("The password is too close to your %(verbose_name)s: choose another one.")

    def get_help_text(self):
        return _("Your password must not resemble your name, user name or mobile number.")


class CommonPasswordValidator(django_validation.CommonPasswordValidator):
    def get_error_message(self):
        return _("This password is among the most common ones: choose another one.")

    def get_help_text(self):
        return _("Your password must not be a common one.")


class NumericPasswordValidator(django_validation.NumericPasswordValidator):
    def get_error_message(self):
        return _("The password has only digits: add letters or signs.")

    def get_help_text(self):
        return _("Your password must not be only digits.")
