"""The HTTP service: `create_app(settings)` builds the FastAPI application; `drain(app)`
turns its readiness off for a shutdown; `json_log_config()` and
`log_uncaught()` make every line of stderr JSON."""

from api.accesslog import json_log_config, log_uncaught
from api.app import create_app
from api.routes.health import drain

__all__ = ["create_app", "drain", "json_log_config", "log_uncaught"]
