"""Background work of the catalogue: big imports, and prices whose date has come."""

from celery import shared_task

from catalog import services
from catalog.models import PriceListImport


@shared_task
def analyse_import(import_id: int) -> int:
    price_import = services.import_analyse(PriceListImport.objects.get(pk=import_id))
    return price_import.rows_total


@shared_task
def apply_import(import_id: int, actor_id: int | None) -> str:
    from procurement.members.models import User

    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    return services.apply_import_now(PriceListImport.objects.get(pk=import_id), actor=actor).status


@shared_task
def apply_due_prices() -> int:
    return services.apply_due_prices()
