"""The practice: who it is, who works there, and its rules. Every area may read it.

- ``profile``: the practice profile, locations and providers; first-run setup; the
  optimistic version check on save (``check_version``).
- ``settings``: practice-wide settings, each declared once with its type, bounds and default.
- ``users``: accounts and sign-in: Argon2id hashes, lockout, roles, audited.
"""
