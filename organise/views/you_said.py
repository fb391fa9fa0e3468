"""Views of Organise: you_said (being built)."""

urlpatterns = []
