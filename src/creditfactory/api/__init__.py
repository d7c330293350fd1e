"""The HTTP API (FastAPI, ``/api/v1``): thin routers over the service layer.

:data:`api_router` holds every route and :func:`install_error_handlers` answers service errors
in JSON; ``creditfactory.server`` puts them on the application beside the staff pages.
"""

from creditfactory.api.errors import install as install_error_handlers
from creditfactory.api.routers import api_router

__all__ = ["api_router", "install_error_handlers"]
