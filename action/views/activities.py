"""Action: activities (being built)."""

urlpatterns = []
