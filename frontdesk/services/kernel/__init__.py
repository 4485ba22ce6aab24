"""The shared kernel every service area stands on; it imports no area.

- ``context``: ``ServiceContext`` (the database, the signed-in actor, the change bus) and
  ``UnitOfWork`` (one user action, one transaction: permission checks with ``require``,
  ``stamp`` for who changed a record, commit only when told, database refusals turned into
  user-facing errors, ``retry_when_busy``).
- ``versions``: ``check_version``, the optimistic version check on save (every area uses it).
- ``audit``: the audit hooks: every change is recorded centrally at flush time in the
  hash-chained, append-only trail (reading and verifying it is ``platform.audit_trail``).
- ``changes``: the change notification: which kinds of record a committed action changed.

The practice clock (what "today" is for the practice) belongs here.
"""
