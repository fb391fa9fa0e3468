"""Views of the framework, one module per part; each module holds its own URL patterns."""
