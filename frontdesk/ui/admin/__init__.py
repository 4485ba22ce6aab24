"""The Admin area: the practice profile, its locations and providers."""
