"""A hall's default business categories: one per general zone (A, B, C...), one for the
specialist windows; managers rename, merge and limit them in the admin afterwards."""

from __future__ import annotations

from string import ascii_uppercase

SPECIALIST_CATEGORY_NAME = "专窗业务"
GENERAL_CATEGORY_NAME = "综合业务"  # a hall without general zones: one category for all


def default_categories_create(*, hall) -> int:
    """Create the defaults if the hall has no category yet; how many were created.

    Nothing creates them on its own: a hall that keeps an outside queue system keeps its
    typed-ticket console until a manager creates them (the category admin's button).
    """
    from windows.models import QueueCategory, Window, Zone

    models = {"QueueCategory": QueueCategory, "Zone": Zone, "Window": Window}
    category_model = models["QueueCategory"]
    if category_model.objects.filter(hall_id=hall.pk).exists():
        return 0
    zones = list(
        models["Zone"]
        .objects.filter(hall_id=hall.pk, kind="general")
        .order_by("sort_order", "name")
    )
    specialist = list(
        models["Window"].objects.filter(hall_id=hall.pk).exclude(zone__kind="general")
    )
    letters = iter(ascii_uppercase)
    created = 0
    for order, zone in enumerate(zones):
        category = category_model.objects.create(
            hall_id=hall.pk, name=zone.name[:50], prefix=next(letters), sort_order=order
        )
        category.zones.add(zone)
        created += 1
    if specialist or not zones:
        category = category_model.objects.create(
            hall_id=hall.pk,
            name=SPECIALIST_CATEGORY_NAME if zones else GENERAL_CATEGORY_NAME,
            prefix=next(letters),
            sort_order=len(zones),
        )
        category.windows.add(*specialist)
        created += 1
    return created
