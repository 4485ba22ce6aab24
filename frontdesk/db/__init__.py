"""The data layer: models, the engine and session factory, migrations."""
