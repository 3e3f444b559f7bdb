"""The project URLs plus one small write view, to prove the audit context of a web request."""

from django.http import HttpResponse
from django.urls import path
from django.views.decorators.http import require_POST

from core.audit import audit_context
from parties.models import Organisation
from procurement.urls import urlpatterns as project_urls


@require_POST
def rename_organisation(request, pk):
    org = Organisation.objects.get(pk=pk)
    with audit_context(request.user, reason=request.POST["reason"]):
        org.name = request.POST["name"]
        org.save()
    return HttpResponse("ok")


urlpatterns = [path("test-rename/<int:pk>/", rename_organisation), *project_urls]
