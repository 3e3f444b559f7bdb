"""The project URLs plus one API view that only checks an upload with `core.uploads`, so the
upload refusal is tested as the API gives it, independent of any channel's own checks."""

from django.urls import path
from rest_framework.response import Response
from rest_framework.views import APIView

from core.uploads import XLSX_TYPES, check_upload
from procurement.urls import urlpatterns as project_urls


class UploadCheckApi(APIView):
    def post(self, request):
        check_upload(request.FILES.get("file"), allowed=XLSX_TYPES, field="file")
        return Response({"ok": True})


urlpatterns = [path("api/v1/test-upload-check", UploadCheckApi.as_view()), *project_urls]
