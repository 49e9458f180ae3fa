#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import importlib
import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # Zero-setup development (no DATABASE_URL: the SQLite file in the project
    # folder) runs with debug on. As soon as a DATABASE_URL is given, debug
    # follows DJANGO_DEBUG, which is off unless set: a production host never
    # gets debug, the insecure development key or the demo user by accident.
    if not os.environ.get("DATABASE_URL", "").strip():
        os.environ.setdefault("DJANGO_DEBUG", "1")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:  # config/settings.py reads the environment
        importlib.import_module(os.environ["DJANGO_SETTINGS_MODULE"])
    except ImproperlyConfigured as error:
        # A missing or malformed variable: say which, without a traceback.
        sys.exit(f"manage.py: {error}")
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
