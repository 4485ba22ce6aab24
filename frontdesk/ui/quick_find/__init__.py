"""Find a patient from anywhere (Ctrl+K): the search, each result at a glance, the chart."""
