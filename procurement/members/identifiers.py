"""Belgian and European identifiers, validated and normalised with python-stdnum.

Each ``clean_*`` function takes what a user typed (spaces, dots, a ``BE`` prefix…) and
returns the compact form stored in the database, or raises ``ValidationError`` saying what
is wrong. ``format_*`` gives the form people read.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum import iban as stdnum_iban
from stdnum.be import vat as be_enterprise_number
from stdnum.eu import vat as eu_vat
from stdnum.exceptions import InvalidChecksum
from stdnum.exceptions import ValidationError as StdnumError

NIS_CODE_PATTERN = re.compile(r"^\d{5}$")


def clean_enterprise_number(value: str) -> str:
    """``BE 0123.456.749`` → ``0123456749``; the mod-97 check must hold."""
    try:
        return be_enterprise_number.validate(value)
    except InvalidChecksum as exc:
        raise ValidationError(
            _("%(value)s is not a valid enterprise number: its check digits are wrong."),
            code="invalid_checksum",
            params={"value": value},
        ) from exc
    except StdnumError as exc:
        raise ValidationError(
            _("%(value)s is not a Belgian enterprise number (ten digits, e.g. 0123.456.749)."),
            code="invalid",
            params={"value": value},
        ) from exc


def format_enterprise_number(value: str) -> str:
    """``0123456749`` → ``0123.456.749``."""
    compact = be_enterprise_number.compact(value)
    return f"{compact[:4]}.{compact[4:7]}.{compact[7:]}"


def clean_iban(value: str) -> str:
    """``be71 0961 2345 6769`` → ``BE71096123456769``; checks the country format and check digits."""
    try:
        return stdnum_iban.validate(value)
    except StdnumError as exc:
        raise ValidationError(_("%(value)s is not a valid IBAN."), code="invalid", params={"value": value}) from exc


def format_iban(value: str) -> str:
    return stdnum_iban.format(value)


def clean_foreign_vat_number(value: str) -> str:
    """An EU VAT number of another member state, e.g. ``FR40303265045``."""
    try:
        compact = eu_vat.validate(value)
    except StdnumError as exc:
        raise ValidationError(
            _("%(value)s is not a valid EU VAT number."), code="invalid", params={"value": value}
        ) from exc
    if compact.startswith("BE"):
        raise ValidationError(
            _("A Belgian company is identified by its enterprise number, not a foreign VAT number."),
            code="belgian",
        )
    return compact


def clean_nis_code(value: str) -> str:
    """Five digits, e.g. ``92094`` for Namur."""
    compact = value.strip()
    if not NIS_CODE_PATTERN.match(compact):
        raise ValidationError(_("A NIS code has five digits (e.g. 92094)."), code="invalid", params={"value": value})
    return compact
