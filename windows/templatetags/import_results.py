"""`{% load import_results %}`: an import's stored summary and notes in the viewer's language.

{{ job.summary|import_summary }}   → 导入 2 条，未变 0 条，拒绝 208 条
{{ note|import_note }}             → 历史差评（回访期限已过，未开立回访工单）：2
"""

from django import template

from windows.importing.results import display_summary, note_text

register = template.Library()


@register.filter
def import_summary(summary: str) -> str:
    return display_summary(summary)


@register.filter
def import_note(note) -> str:
    return note_text(note)
