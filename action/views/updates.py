"""Action: updates (being built)."""

urlpatterns = []
