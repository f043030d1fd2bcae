"""ASGI entry point for multi-process serving (`uvicorn hub.api.asgi:app`); settings from the environment."""

from hub.api.app import create_app
from hub.api.request_log import configure_logging
from hub.api.startup import freeze_built_objects
from hub.settings import get_settings


def __getattr__(name: str) -> object:
    # Built on first access by the server process, not when the module is imported elsewhere.
    if name == "app":
        configure_logging()
        application = create_app(get_settings())
        freeze_built_objects()
        return application
    raise AttributeError(name)
