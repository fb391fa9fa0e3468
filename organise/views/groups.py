"""Views of Organise: groups (being built)."""

urlpatterns = []
