"""The Strategy area of the hub (layer 2, DESIGN.md)."""
