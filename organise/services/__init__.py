"""Writes of Organise, one module per part: each function a use case, in a transaction."""
