"""The Today area: the day at a glance, freed times and the waitlist beside them."""
