import pytest
from django import forms
from django.test import RequestFactory

from xiangzhi.core.errors import Conflict, PermissionDenied, ValidationFailed
from xiangzhi.web.errors import DomainErrorMiddleware, add_domain_error


@pytest.mark.django_db
def test_an_uncaught_refusal_is_a_chinese_page_with_its_status():
    request = RequestFactory().get("/people/households/1/edit/")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    response = DomainErrorMiddleware(lambda r: None).process_exception(
        request, PermissionDenied("您没有权限执行此操作。")
    )
    assert response.status_code == 403 and "您没有权限执行此操作。" in response.content.decode()
    conflict = DomainErrorMiddleware(lambda r: None).process_exception(request, Conflict("已经撤销。"))
    assert conflict.status_code == 409
    # the API maps domain errors itself (JSON), and other exceptions are not ours to handle
    api = RequestFactory().get("/api/v1/households/")
    assert DomainErrorMiddleware(lambda r: None).process_exception(api, PermissionDenied("x")) is None
    assert DomainErrorMiddleware(lambda r: None).process_exception(request, ValueError("x")) is None


def test_a_refusal_goes_next_to_its_field_or_above_the_form():
    class F(forms.Form):
        name = forms.CharField()

    form = F({"name": "张三"})
    assert form.is_valid()
    add_domain_error(form, ValidationFailed("姓名重复。", field="name"))
    add_domain_error(form, ValidationFailed("户已注销。", field="household"))
    assert form.errors["name"] == ["姓名重复。"] and form.non_field_errors() == ["户已注销。"]
