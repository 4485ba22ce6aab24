"""Helpers shared by the tests (imported by test modules; test modules never import each other)."""
