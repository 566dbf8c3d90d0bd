from .body_models import *  # noqa: F401,F403
