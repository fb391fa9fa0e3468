"""Views of Action, one module per part; each module holds its own URL patterns."""
