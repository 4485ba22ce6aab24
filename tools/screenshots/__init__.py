"""`make screenshots`: render the app's screens to PNGs from a demo practice (a dev tool)."""
