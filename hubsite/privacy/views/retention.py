"""retention"""

urlpatterns = []
