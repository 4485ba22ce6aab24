"""Front Desk: consultation requests, scheduling, history and handouts for a spine practice."""

# The one place the version is written (pyproject.toml reads it from here): reading it back
# with importlib.metadata cost the app's cold start about 40 ms.
__version__ = "0.1.0"
