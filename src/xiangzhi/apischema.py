"""Schemas shared by every API router: the error body and page envelopes."""

from ninja import Schema


class ErrorOut(Schema):
    detail: str
    code: str
    field: str | None = None


# Every route declares the errors it can answer with (schemathesis found undeclared ones on plain ninja APIs).
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


# The highest page a list accepts: far past any list's end (a province's residents at 100 a page), and low enough
# that the offset stays a 64-bit integer (schemathesis found page=2**63 answering 500 from the database).
MAX_PAGE = 1_000_000


def page_params(page: int, page_size: int) -> tuple[int, int]:
    page = min(max(1, page), MAX_PAGE)
    page_size = min(max(1, page_size), 100)
    return (page - 1) * page_size, page_size


def paginate(qs, page: int, page_size: int) -> dict:
    offset, size = page_params(page, page_size)
    return {
        "count": qs.count(),
        "page": offset // size + 1,
        "page_size": size,
        "items": list(qs[offset : offset + size]),
    }


def json_or_multipart(schema) -> dict:
    """`openapi_extra` of a route whose body is JSON, or multipart/form-data with the same fields plus photos:
    `schema(multipart=…)` gives each content type's schema."""
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": schema(multipart=False)},
                "multipart/form-data": {"schema": schema(multipart=True)},
            },
        }
    }
