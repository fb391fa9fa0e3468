"""Action: asks (being built)."""

urlpatterns = []
