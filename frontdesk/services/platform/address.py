"""Which database to open, and its name without the password: no database layer loaded.

The app reads these before its first screen shows, so this module imports neither
SQLAlchemy nor the models (bootstrap, which opens the database, does).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from urllib.parse import urlsplit

from frontdesk.paths import default_database_url

DATABASE_ENV = "FRONTDESK_DATABASE_URL"


def resolve_database_url(
    explicit: str | None, server_url: Callable[[], str | None] | None = None
) -> str:
    """--database, else FRONTDESK_DATABASE_URL, else the saved shared server, else the file
    in the user's data folder.

    ``server_url`` (the app passes ``connection.server_url_for_startup`` with its password
    dialog) is asked only when neither of the first two names a database, so a password is
    never asked for a database that will not be used; it returns None without a profile.
    """
    if explicit:
        return explicit
    from_environment = os.environ.get(DATABASE_ENV)
    if from_environment:
        return from_environment
    if server_url is not None:
        url = server_url()
        if url:
            return url
    return default_database_url()


def without_password(url: str) -> str:
    """``url`` with the password taken out of its user part (the rest as written)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    user_part, at, host_part = parts.netloc.rpartition("@")
    if not at or ":" not in user_part:
        return url
    user = user_part.partition(":")[0]
    return parts._replace(netloc=f"{user}@{host_part}").geturl()


def names_no_user(url: str) -> bool:
    """A PostgreSQL URL without a user name: each person signs in as their own database login
    (per-person roles), so nothing is opened before someone signs in."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    if not parts.scheme.startswith("postgresql"):
        return False
    return "@" not in parts.netloc or not parts.netloc.rpartition("@")[0].partition(":")[0]
