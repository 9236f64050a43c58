"""Units of measure: codes of UN/ECE Recommendation 20, as Peppol and UBL documents use them."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Unit(models.TextChoices):
    ONE = "C62", _("piece")
    PIECE = "H87", _("item")
    PAIR = "PR", _("pair")
    SET = "SET", _("set")
    LUMP_SUM = "LS", _("lump sum")
    SERVICE_UNIT = "E48", _("service unit")
    HOUR = "HUR", _("hour")
    DAY = "DAY", _("day")
    WEEK = "WEE", _("week")
    MONTH = "MON", _("month")
    YEAR = "ANN", _("year")
    KILOGRAM = "KGM", _("kilogram")
    TONNE = "TNE", _("tonne")
    LITRE = "LTR", _("litre")
    METRE = "MTR", _("metre")
    SQUARE_METRE = "MTK", _("square metre")
    CUBIC_METRE = "MTQ", _("cubic metre")
    KILOWATT_HOUR = "KWH", _("kilowatt hour")
    MEGAWATT_HOUR = "MWH", _("megawatt hour")


# Units counted in whole numbers: nobody orders 2.5 pieces, pairs or boxes.
COUNTED_UNITS = frozenset({Unit.ONE, Unit.PIECE, Unit.PAIR, Unit.SET, Unit.LUMP_SUM})
