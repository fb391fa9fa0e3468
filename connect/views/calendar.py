"""Connect: calendar (being built)."""

urlpatterns = []
