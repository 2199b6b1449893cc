from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


class CompanyLanguageMiddleware:
    """Japanese unless the user picked another language: the browser's Accept-Language is not a choice.

    Must sit before LocaleMiddleware, which would otherwise switch to English for any en-US browser.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
