"""Development tools for Front Desk: not part of the shipped package."""
