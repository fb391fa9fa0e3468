"""Views of Organise: segments (being built)."""

urlpatterns = []
