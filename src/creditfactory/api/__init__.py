"""The HTTP API (FastAPI, ``/api/v1``): thin routers over the service layer."""

from creditfactory.api.app import build_context, create_app

__all__ = ["create_app", "build_context"]
