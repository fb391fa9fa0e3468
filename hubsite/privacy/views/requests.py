"""requests"""

urlpatterns = []
