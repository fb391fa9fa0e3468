"""Framework: prompts (being built)."""

urlpatterns = []
