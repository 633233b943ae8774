"""The 12345 hotline import page (/cases/hotline/): the template, the upload, the result."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_http_methods

from xiangzhi import policy
from xiangzhi.cases import hotline
from xiangzhi.core.errors import DomainError

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
def hotline_template(request):
    response = HttpResponse(hotline.template_bytes(), content_type=XLSX)
    # 12345热线工单模板.xlsx
    response["Content-Disposition"] = (
        "attachment; filename*=UTF-8''12345%E7%83%AD%E7%BA%BF%E5%B7%A5%E5%8D%95%E6%A8%A1%E6%9D%BF.xlsx"
    )
    return response


@login_required
@require_http_methods(["GET", "POST"])
def hotline_import(request):
    policy.require(request.user, "cases.hotline")
    result, error = None, ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            error = "请选择要导入的 Excel 文件。"
        else:
            try:
                result = hotline.run_import(user=request.user, file=upload)
            except DomainError as exc:
                error = exc.message
    return render(
        request,
        "cases/hotline_import.html",
        {"result": result, "error": error, "columns": hotline.TEMPLATE_NOTES},
    )


urlpatterns = [
    path("hotline/", hotline_import, name="hotline_import"),
    path("hotline/template.xlsx", hotline_template, name="hotline_template"),
]
