"""The Organise area of the hub (layer 3, DESIGN.md)."""
