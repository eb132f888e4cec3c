from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WindowsConfig(AppConfig):
    name = "windows"
    verbose_name = _("Hall configuration")

    def ready(self) -> None:
        from windows.importing.jobs import register_runner
        from windows.importing.staff import staff_import_job
        from windows.importing.windows import windows_import_job

        register_runner("windows", windows_import_job)
        register_runner("staff", staff_import_job)
