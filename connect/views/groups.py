"""Connect: groups (being built)."""

urlpatterns = []
