app_name = "oversight-api"

urlpatterns = []  # regulator pages only
