"""Signing in where each person has their own database login: the server checks the password.

A workstation in per-person mode names the server and the database but no user (a
PostgreSQL URL without a user name). Its sign-in opens the connection as the person's login
role with the password they typed; the server accepts or refuses it. A refused password is
one plain sentence (the same as the app's own sign-in), and this workstation then waits
before the next try of that name: after ``LOCKOUT_ATTEMPTS`` wrong passwords in a row,
one minute, doubling up to the default longest wait (the practice's settings cannot be
read before someone is connected). The wait is this process's memory
(the server keeps no record of a failed login the app can read), so the server's
``auth_delay`` module paces guessing from anywhere else (see docs/postgresql-setup.md).
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

from sqlalchemy.engine import make_url

from frontdesk.db.engine import Database
from frontdesk.db.server_roles import ServerRoleNames
from frontdesk.db.types import utcnow
from frontdesk.domain.actor import operating_system_actor
from frontdesk.domain.errors import DatabaseUnavailableError
from frontdesk.domain.passwords import normalized_password
from frontdesk.services.kernel.changes import ChangeBus
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.platform.bootstrap import make_context, open_for_use
from frontdesk.services.practice.accounts import normalize_username
from frontdesk.services.practice.forms import SignInError
from frontdesk.services.practice.settings import LOCKOUT_ATTEMPTS, LOCKOUT_MINUTES
from frontdesk.services.practice.sign_in import FIRST_PAUSE, SIGN_IN_REFUSED, sign_in_connected

_wrong: dict[tuple[str, str], tuple[int, datetime]] = {}
_wrong_lock = threading.Lock()


def person_url(url: str, username: str, password: str) -> str:
    """``url`` as ``username``'s login role with ``password`` (in memory only)."""
    parsed = make_url(url)
    login = ServerRoleNames.for_database(str(parsed.database)).login(normalize_username(username))
    return parsed.set(username=login, password=normalized_password(password)).render_as_string(
        hide_password=False
    )


def _login_refused(error: DatabaseUnavailableError) -> bool:
    """Whether the server would not let this login in: a wrong password (also said for an
    unknown name where passwords are checked), no such role, or a deactivated (NOLOGIN) one."""
    detail = f"{error} {error.__cause__ or ''}".lower()
    if "refused the user name or password" in detail:
        return True
    return 'role "' in detail and ("does not exist" in detail or "not permitted" in detail)


def _paused_until(key: tuple[str, str], now: datetime) -> datetime | None:
    wrong, last = _wrong.get(key, (0, now))
    attempts = int(LOCKOUT_ATTEMPTS.default)
    if wrong < attempts:
        return None
    longest = timedelta(minutes=int(LOCKOUT_MINUTES.default))
    until = last + min(FIRST_PAUSE * 2 ** min(wrong - attempts, 20), longest)
    return until if until > now else None


def sign_in_as_person(
    url: str,
    username: str,
    password: str,
    changes: ChangeBus | None = None,
    logins: dict[int, Database] | None = None,
) -> ServiceContext:
    """Open the database as the person and say who acts; SignInError when refused.

    ``logins``: the signed-in people's connections (``ServiceContext.logins``) this one
    joins, replacing (and closing) an earlier connection of the same person. The schema is
    never upgraded here: a person's login may not change it (the owner runs ``db upgrade``).
    """
    name = normalize_username(username)
    key = (str(make_url(url).set(username=None, password=None)), name)
    now = utcnow()
    with _wrong_lock:
        if _paused_until(key, now) is not None:
            raise SignInError(SIGN_IN_REFUSED)
    try:
        target = person_url(url, name, password)
    except ValueError:
        raise SignInError(SIGN_IN_REFUSED) from None
    try:
        database, _copy = open_for_use(target, upgrade=False)
    except DatabaseUnavailableError as error:
        if not _login_refused(error):
            raise
        with _wrong_lock:
            wrong, _last = _wrong.get(key, (0, now))
            _wrong[key] = (wrong + 1, now)
        raise SignInError(SIGN_IN_REFUSED) from error
    with _wrong_lock:
        _wrong.pop(key, None)
    try:
        context = make_context(database, operating_system_actor(), changes)
        actor = sign_in_connected(context, name)
    except BaseException:
        database.dispose()
        raise
    shared = logins if logins is not None else {}
    earlier = shared.get(actor.user_id or 0)
    shared[actor.user_id or 0] = database
    if earlier is not None and earlier is not database:
        earlier.dispose()
    return ServiceContext(database, actor, context.changes, shared)


def base_url(database: Database) -> str | None:
    """The workstation's URL (no user, no password) when ``database`` is open as a person's
    own login role; None otherwise."""
    url = database.url
    if url.get_backend_name() != "postgresql" or not url.username:
        return None
    names = ServerRoleNames.for_database(str(url.database or ""))
    if not url.username.startswith(f"{names.prefix}."):
        return None
    return url.set(username=None, password=None).render_as_string(hide_password=False)
