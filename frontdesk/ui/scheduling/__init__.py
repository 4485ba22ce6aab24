"""The Schedule area: provider calendars, booking, appointments, waitlist."""
