"""Read queries of Organise, one module per part."""
