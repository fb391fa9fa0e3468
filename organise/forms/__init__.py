"""Forms of Organise, one module per part."""
