"""Views of Organise: meetings (being built)."""

urlpatterns = []
