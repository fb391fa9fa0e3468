"""The Connect area of the hub (layer 1, DESIGN.md)."""
