"""Sign-in, the lock screen, user accounts, security settings, backup and restore screens."""
