from rest_framework.permissions import DjangoModelPermissions


class ModelViewPermission(DjangoModelPermissions):
    """Reads need the model's `view` permission too (DRF checks only writes by default)."""

    perms_map = {
        **DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
        "OPTIONS": ["%(app_label)s.view_%(model_name)s"],
    }
