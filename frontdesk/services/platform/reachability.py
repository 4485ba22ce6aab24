"""Is the practice database answering? One cheap round trip, for the outage monitor's retries."""

from __future__ import annotations

from frontdesk.db import engine
from frontdesk.services.kernel.context import ServiceContext


def ping(context: ServiceContext) -> None:
    """Return when the database answers; DatabaseUnavailableError (one plain sentence) if not.

    No permission is checked and nothing is read: it only opens (or re-opens, after an
    outage) a connection from the pool and asks the server for ``SELECT 1``.
    """
    engine.ping(context.database)
