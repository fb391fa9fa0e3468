"""Writes of the framework, one module per part: assessments, prompts, learnings, tags."""
