"""Writes of Connect, one module per part: events, RSVPs, check-in, volunteering, groups."""
