"""The interface speaks French unless the user chose another language.

Django's LocaleMiddleware would follow the browser's Accept-Language header; a Belgian
public service shows French first and lets the user switch (the choice is kept in a cookie).
API clients, which have no switcher, get the language of their Accept-Language header.
"""

from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.deprecation import MiddlewareMixin

API_PREFIX = "/api/"


def _supported(code: str | None) -> str | None:
    if not code:
        return None
    try:
        return translation.get_supported_language_variant(code)
    except LookupError:
        return None


class LanguageMiddleware(MiddlewareMixin):
    def process_request(self, request):
        language = _supported(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME))
        if language is None and request.path.startswith(API_PREFIX):
            language = translation.get_language_from_request(request)
        translation.activate(language or settings.LANGUAGE_CODE)
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request, response):
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        response.headers.setdefault("Content-Language", translation.get_language())
        return response
