"""Views of Organise, one module per part; each module holds its own URL patterns."""
