"""The staff pages in Chinese or English, with times in the branch's time zone.

The language is the one the user chose (the ``cf_lang`` cookie: set at sign-in from the
language stored with the user's account, chosen on their page ``/ui/me``, and by the language
switch) or else the best match of the browser's ``Accept-Language``; English when nothing
matches.
Messages come from Babel catalogues shipped compiled in ``web/translations`` (``.po`` beside
its ``.mo``; ``tests/unit/web/test_i18n_catalogue.py`` fails when they differ). Nothing is
fetched at run time.

A page renders inside :func:`reading`, which sets the reader (language, catalogue, time zone)
for the template's ``_``/``gettext`` and the formatting filters of the same request.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache
from importlib import resources
from zoneinfo import ZoneInfo

from babel.support import NullTranslations, Translations

__all__ = [
    "LANG_COOKIE",
    "LANGUAGES",
    "Reader",
    "negotiate",
    "reader_for",
    "reading",
    "current",
    "gettext",
    "ngettext",
    "zone_of_branch",
]

LANG_COOKIE = "cf_lang"
LANGUAGES: dict[str, tuple[str, str]] = {
    # code: (html lang, the language's own name)
    "en": ("en", "English"),
    "zh_CN": ("zh-CN", "中文"),
}
HOME_ZONE = "Asia/Shanghai"
"""Every branch today is in mainland China; a branch abroad gets an entry in BRANCH_ZONES."""
BRANCH_ZONES: dict[str, str] = {}


@dataclass(frozen=True, slots=True)
class Reader:
    """Who a page is written for: language, its catalogue and the time zone of its times."""

    locale: str
    translations: NullTranslations
    zone: ZoneInfo

    @property
    def html_lang(self) -> str:
        return LANGUAGES[self.locale][0]


@cache
def _translations(locale: str) -> NullTranslations:
    if locale == "en":
        return NullTranslations()
    folder = resources.files("creditfactory.web") / "translations"
    with resources.as_file(folder) as path:
        return Translations.load(str(path), [locale], domain="messages")


@cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def zone_of_branch(branch: str | None) -> ZoneInfo:
    """The time zone a branch works in (China Standard Time unless listed otherwise)."""
    return _zone(BRANCH_ZONES.get(branch or "", HOME_ZONE))


def _match(tag: str) -> str | None:
    tag = tag.strip().replace("_", "-").lower()
    if tag.startswith("zh"):
        return "zh_CN"  # simplified Chinese: the only Chinese catalogue
    if tag.startswith("en"):
        return "en"
    return None


def negotiate(accept_language: str | None, chosen: str | None = None) -> str:
    """The user's chosen language when it is one we have, else the browser's best match
    (``Accept-Language`` with its q-values), else English."""
    if chosen in LANGUAGES:
        return chosen  # type: ignore[return-value]
    ranked: list[tuple[float, int, str]] = []
    for i, part in enumerate((accept_language or "")[:512].split(",")):
        tag, _, params = part.partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        found = _match(tag)
        if found and q > 0:
            ranked.append((-q, i, found))
    return min(ranked)[2] if ranked else "en"


def reader_for(locale: str, branch: str | None = None) -> Reader:
    """The reader of ``locale`` for times of ``branch`` (the home zone when none)."""
    return Reader(locale, _translations(locale), zone_of_branch(branch))


_ENGLISH = Reader("en", NullTranslations(), _zone(HOME_ZONE))
_current: ContextVar[Reader] = ContextVar("creditfactory_web_reader", default=_ENGLISH)


def current() -> Reader:
    """The reader of the page being rendered (English, China time, outside a page)."""
    return _current.get()


@contextmanager
def reading(reader: Reader) -> Iterator[Reader]:
    """Render with ``reader``'s language and time zone."""
    token = _current.set(reader)
    try:
        yield reader
    finally:
        _current.reset(token)


def gettext(message: str) -> str:
    """``message`` in the current page's language."""
    return _current.get().translations.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural of a message in the current page's language."""
    return _current.get().translations.ngettext(singular, plural, n)
