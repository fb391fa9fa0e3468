"""Action: stories (being built)."""

urlpatterns = []
