import os

from .base import *  # noqa: F401,F403

# `make run` behaves like production (Chinese error pages, no URL listings); set
# DJANGO_DEBUG=1 for Django's debug pages while developing.
DEBUG = os.environ.get("DJANGO_DEBUG", "0") == "1"
