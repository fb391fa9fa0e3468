"""Framework: learnings (being built)."""

urlpatterns = []
