from .figures import ServiceFigures, service_figures

__all__ = ["ServiceFigures", "service_figures"]
