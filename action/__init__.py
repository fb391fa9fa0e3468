"""The Action area of the hub (layer 2, DESIGN.md)."""
