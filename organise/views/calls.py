"""Views of Organise: calls (being built)."""

urlpatterns = []
