"""Demonstration procedures, on top of the members' demo data (``manage.py seed_demo``).

- a concluded tender (IMIO-2026-003) born from a needs survey, with two lots: office supplies
  (one supplier) and laptops (two suppliers in cascade), their bids, evaluation, award and
  framework agreements;
- a tender open for bids now (IMIO-2026-017, office furniture) with a sealed bid and an
  answered question;
- an open needs survey (cleaning of buildings) with a first declaration.

Everything goes through the services. The concluded procedure happened in the past: it is
replayed with the services' clock set to the dates of each step. Running it twice changes
nothing.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.files.base import ContentFile
from django.template.loader import render_to_string
from django.utils import timezone

from procurement.core.models import CpvCode
from procurement.members.demo import replaying
from procurement.members.models import Organization, User
from tenders import services
from tenders.models import NeedsSurvey, Tender

D = Decimal


_on = replaying  # the services read the replayed moment as "now"


def _pdf(title: str, reference: str) -> ContentFile:
    from weasyprint import HTML  # heavy import: only when generating documents

    html = render_to_string("tenders/demo/specifications.html", {"title": title, "reference": reference})
    return ContentFile(HTML(string=html).write_pdf(), name=f"CSC-{reference}.pdf")


class TenderDemo:
    def __init__(self):
        self.buyer = User.objects.get(username="imio-buyer")
        self.suppliers = {
            user.username: user for user in User.objects.filter(username__in=["supplier-1", "supplier-2"])
        }
        self.created = {"tenders": 0, "surveys": 0, "agreements": 0}

    def run(self) -> dict[str, int]:
        if not Tender.objects.filter(reference="IMIO-2026-003").exists():
            self._concluded_tender()
        if not Tender.objects.filter(reference="IMIO-2026-017").exists():
            self._open_tender()
        if not NeedsSurvey.objects.filter(title__startswith="Nettoyage").exists():
            self._open_survey()
        return self.created

    def _officer(self, username: str) -> User:
        return User.objects.get(username=username)

    def _concluded_tender(self) -> None:
        tz = timezone.get_current_timezone()
        start = datetime.datetime(2026, 2, 2, 9, 0, tzinfo=tz)
        buyer = self.buyer
        with _on(start):
            survey = services.survey_create(
                actor=buyer,
                title="Recensement — fournitures de bureau et ordinateurs portables 2026-2030",
                closes_at=start + datetime.timedelta(days=21),
                items=[
                    {
                        "lot_number": 1,
                        "lot_title": "Papier et fournitures de bureau",
                        "description": "Ramette papier A4 80 g recyclé",
                        "unit": "C62",
                        "cpv_code": CpvCode.objects.get(pk="30197630-1"),
                        "estimated_unit_price": D("3.9000"),
                    },
                    {
                        "lot_number": 1,
                        "lot_title": "Papier et fournitures de bureau",
                        "description": "Classeur à levier A4",
                        "unit": "C62",
                        "cpv_code": CpvCode.objects.get(pk="30192000-1"),
                        "estimated_unit_price": D("2.1500"),
                    },
                    {
                        "lot_number": 2,
                        "lot_title": "Ordinateurs portables et accessoires",
                        "description": "Ordinateur portable 14 pouces",
                        "unit": "C62",
                        "cpv_code": CpvCode.objects.get(pk="30213100-6"),
                        "estimated_unit_price": D("890.0000"),
                    },
                ],
            )
            services.survey_open(actor=buyer, survey=survey)
            paper, binders, laptops = survey.items.all()
            for username, quantities in (
                ("namur-officer", {paper.pk: D("12000"), binders.pk: D("800"), laptops.pk: D("60")}),
                ("liege-officer", {paper.pk: D("25000"), binders.pk: D("1500"), laptops.pk: D("140")}),
            ):
                services.survey_declare(actor=self._officer(username), survey=survey, quantities=quantities)
            tender = services.tender_create(
                actor=buyer,
                reference="IMIO-2026-003",
                title="Fournitures de bureau et ordinateurs portables",
                description="Accord-cadre de la centrale d'achat IMIO pour ses membres, 48 mois.",
                procedure="open",
                contract_type="supplies",
                cpv_code=CpvCode.objects.get(pk="30192000-1"),
                additional_cpv_codes=[CpvCode.objects.get(pk="30213100-6")],
                beneficiary_scope="all_members",
                survey=survey,
                criteria=[
                    {"name": "Prix", "kind": "price", "weight": D("70")},
                    {"name": "Qualité environnementale et service après-vente", "kind": "quality", "weight": D("30")},
                ],
            )
        with _on(start + datetime.timedelta(days=22)):
            services.survey_close(actor=buyer, survey=survey)
            lots = {lot.number: lot for lot in tender.lots.all()}
            services.tender_update(
                actor=buyer,
                tender=tender,
                lots=[
                    {
                        "number": 1,
                        "title": lots[1].title,
                        "estimated_value": lots[1].estimated_value,
                        "maximum_value": D("420000.00"),
                        "duration_months": 48,
                        "supplier_mode": "single",
                        "max_suppliers": 1,
                    },
                    {
                        "number": 2,
                        "title": lots[2].title,
                        "estimated_value": lots[2].estimated_value,
                        "maximum_value": D("320000.00"),
                        "duration_months": 48,
                        "supplier_mode": "cascade",
                        "max_suppliers": 2,
                    },
                ],
                publication_at=start + datetime.timedelta(days=23),
                questions_deadline=start + datetime.timedelta(days=50),
                submission_deadline=start + datetime.timedelta(days=60),
                opening_at=start + datetime.timedelta(days=60, hours=1),
            )
            services.tender_add_document(
                actor=buyer,
                tender=tender,
                file=_pdf(tender.title, tender.reference),
                title="Cahier spécial des charges",
            )
            services.tender_publish(actor=buyer, tender=tender)
        lot1, lot2 = tender.lots.order_by("number")
        quality = tender.criteria.get(kind="quality")
        meuse, wallonne = self.suppliers["supplier-1"], self.suppliers["supplier-2"]
        with _on(start + datetime.timedelta(days=40)):
            question = services.question_ask(
                actor=meuse, tender=tender, question="Le papier doit-il porter un écolabel (FSC ou équivalent) ?"
            )
            services.question_answer(
                actor=buyer, question=question, answer="Oui : FSC, PEFC ou équivalent, voir l'article 12 du CSC."
            )
            services.bid_submit(
                actor=meuse, lot=lot1, total_amount=D("152340.00"), answers={quality.pk: "Papier FSC, livraison 48 h"}
            )
            services.bid_submit(
                actor=meuse, lot=lot2, total_amount=D("181500.00"), answers={quality.pk: "Garantie 5 ans sur site"}
            )
            services.bid_submit(
                actor=wallonne, lot=lot2, total_amount=D("176800.00"), answers={quality.pk: "Garantie 4 ans, reprise"}
            )
        with _on(start + datetime.timedelta(days=60, hours=2)):
            services.tender_open_bids(actor=buyer, tender=tender)
            points = {("supplier-1", 1): D("26"), ("supplier-1", 2): D("27"), ("supplier-2", 2): D("22")}
            for bid in tender.bids.select_related("lot"):
                username = "supplier-1" if bid.supplier_id == meuse.acting.organization_id else "supplier-2"
                services.bid_score(actor=buyer, bid=bid, points={quality.pk: points[(username, bid.lot.number)]})
            services.tender_evaluate(actor=buyer, tender=tender)
        with _on(start + datetime.timedelta(days=70)):
            services.tender_award(
                actor=buyer,
                tender=tender,
                reasons={
                    lot1.pk: "Seule offre régulière, prix conforme à l'estimation, qualité environnementale démontrée.",
                    lot2.pk: "Les deux offres régulières sont retenues en cascade, dans l'ordre du classement.",
                },
            )
        with _on(start + datetime.timedelta(days=86)):
            agreements = services.tender_conclude(actor=buyer, tender=tender, start_date=datetime.date(2026, 5, 1))
        self.created["tenders"] += 1
        self.created["surveys"] += 1
        self.created["agreements"] += len(agreements)

    def _open_tender(self) -> None:
        now = timezone.now()
        buyer = self.buyer
        tender = services.tender_create(
            actor=buyer,
            reference="IMIO-2026-017",
            title="Mobilier de bureau",
            description="Bureaux, sièges et rangements pour les services des membres.",
            procedure="open",
            contract_type="supplies",
            cpv_code=CpvCode.objects.get(pk="39130000-2"),
            beneficiary_scope="all_members",
            lots=[
                {
                    "number": 1,
                    "title": "Bureaux et rangements",
                    "estimated_value": D("90000.00"),
                    "maximum_value": D("140000.00"),
                    "duration_months": 36,
                    "supplier_mode": "single",
                    "max_suppliers": 1,
                },
                {
                    "number": 2,
                    "title": "Sièges de bureau",
                    "estimated_value": D("50000.00"),
                    "maximum_value": D("70000.00"),
                    "duration_months": 36,
                    "supplier_mode": "mini_competition",
                    "max_suppliers": 3,
                },
            ],
            criteria=[
                {"name": "Prix", "kind": "price", "weight": D("60")},
                {"name": "Ergonomie", "kind": "quality", "weight": D("25")},
                {"name": "Durabilité", "kind": "quality", "weight": D("15")},
            ],
            questions_deadline=now + datetime.timedelta(days=12),
            submission_deadline=now + datetime.timedelta(days=21),
            opening_at=now + datetime.timedelta(days=21, hours=1),
        )
        services.tender_add_document(
            actor=buyer, tender=tender, file=_pdf(tender.title, tender.reference), title="Cahier spécial des charges"
        )
        services.tender_publish(actor=buyer, tender=tender)
        question = services.question_ask(
            actor=self.suppliers["supplier-1"],
            tender=tender,
            question="Les sièges doivent-ils être certifiés EN 1335 ?",
        )
        services.question_answer(actor=buyer, question=question, answer="Oui, EN 1335-1 type A ou équivalent.")
        services.bid_submit(
            actor=self.suppliers["supplier-1"], lot=tender.lots.get(number=1), total_amount=D("87450.00")
        )
        self.created["tenders"] += 1

    def _open_survey(self) -> None:
        survey = services.survey_create(
            actor=self.buyer,
            title="Nettoyage des bâtiments communaux 2027-2030",
            description="Estimez vos besoins annuels en heures de nettoyage et en produits.",
            closes_at=timezone.now() + datetime.timedelta(days=30),
            items=[
                {
                    "lot_number": 1,
                    "lot_title": "Prestations de nettoyage",
                    "description": "Heure de nettoyage de bureaux",
                    "unit": "HUR",
                    "cpv_code": CpvCode.objects.get(pk="90919200-4"),
                    "estimated_unit_price": D("32.0000"),
                },
                {
                    "lot_number": 2,
                    "lot_title": "Produits d'entretien",
                    "description": "Détergent écologique 5 l",
                    "unit": "C62",
                    "cpv_code": CpvCode.objects.get(pk="39831000-6"),
                    "estimated_unit_price": D("14.5000"),
                },
            ],
        )
        services.survey_open(actor=self.buyer, survey=survey)
        hours, _detergent = survey.items.all()
        services.survey_declare(actor=self._officer("namur-officer"), survey=survey, quantities={hours.pk: D("5200")})
        self.created["surveys"] += 1


def load_demo_tenders() -> dict[str, int]:
    if not Organization.objects.filter(kind="central_purchasing_body").exists():
        return {}
    return TenderDemo().run()
