"""Connect: volunteering (being built)."""

urlpatterns = []
