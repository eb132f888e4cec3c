"""Django's makemessages without msgmerge's fuzzy guesses.

A fuzzy guess is usually wrong for this catalogue (it offered 业务编码 for "Issue pairing
code"); a new message should stay untranslated until someone translates it.
"""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    msgmerge_options = [*makemessages.Command.msgmerge_options, "--no-fuzzy-matching"]
