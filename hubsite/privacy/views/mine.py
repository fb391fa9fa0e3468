"""mine"""

urlpatterns = []
