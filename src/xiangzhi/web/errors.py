"""Domain errors on web pages, handled once.

A service's refusal (xiangzhi.core.errors.DomainError) that a view does not catch becomes a Chinese page with the
error's status (403, 404, 409, 422 …) instead of a server error: `DomainErrorMiddleware`. A refusal a form can
show next to a field goes there instead: `add_domain_error`. The API maps the same errors in xiangzhi.api.
"""

from django import forms
from django.shortcuts import render

from xiangzhi.core.errors import Conflict, DomainError, ValidationFailed

# The refusals a form shows next to its fields (the rest become an error page).
FORM_ERRORS = (ValidationFailed, Conflict)


def add_domain_error(form: forms.Form, exc: DomainError) -> None:
    """Show a service's refusal on `form`: next to its field when the form has that field, above the form
    otherwise. The message is the service's Chinese one (it never repeats an ID number)."""
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


class DomainErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DomainError) and not request.path.startswith("/api/"):
            return render(request, "error.html", {"message": exception.message}, status=exception.status)
        return None
