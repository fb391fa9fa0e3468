"""Views of Organise: members (being built)."""

urlpatterns = []
