"""Password validation with Italian messages.

Django 5.2 reworded the minimum-length message and its Italian catalogue has not caught up,
so the page mixed English into Italian; this validator says it in our own catalogue.
"""

from django.contrib.auth.password_validation import MinimumLengthValidator
from django.utils.translation import ngettext


class ItalianMinimumLengthValidator(MinimumLengthValidator):
    def get_error_message(self):
        return ngettext(
            "La password è troppo corta: deve contenere almeno %(min_length)d carattere.",
            "La password è troppo corta: deve contenere almeno %(min_length)d caratteri.",
            self.min_length,
        ) % {"min_length": self.min_length}

    def get_help_text(self):
        return ngettext(
            "La password deve contenere almeno %(min_length)d carattere.",
            "La password deve contenere almeno %(min_length)d caratteri.",
            self.min_length,
        ) % {"min_length": self.min_length}
