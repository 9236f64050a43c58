"""Writes ``catalog/data/demo_catalogue.xlsx``: the price lists of the demo's framework agreements.

    .venv/bin/python catalog/data/make_demo_catalogue.py

One sheet per catalogue, in the import format (the French headers a supplier's file has),
made from the product families below with a fixed random seed: running it again writes the
same workbook, byte for byte (the dates inside the file are fixed too). ``catalog/demo.py``
imports each sheet through the services when ``manage.py seed_demo`` runs.

- "Fournitures de bureau": Bureau Meuse SA, sole supplier of IMIO-2026-003-L1;
- "Informatique - Wallonne": Informatique Wallonne SRL, rank 1 of IMIO-2026-003-L2 (Dell, Lenovo);
- "Informatique - Bureau Meuse": Bureau Meuse SA, rank 2 of IMIO-2026-003-L2 (HP, Lenovo).
"""

from __future__ import annotations

import io
import random
import re
import zipfile
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal
from itertools import product
from pathlib import Path

import pandas as pd

WORKBOOK = Path(__file__).resolve().parent / "demo_catalogue.xlsx"
SEED = 20260501
FIXED_DATE = "2026-05-01T00:00:00Z"
HEADERS = [
    "Référence",
    "Désignation",
    "Désignation NL",
    "Unité",
    "Prix unitaire HTVA",
    "Taux TVA",
    "Prix catalogue",
    "Code CPV",
    "Quantité minimale",
    "Délai de livraison (jours)",
]
CENT = Decimal("0.01")


class PriceList:
    """The rows of one supplier's sheet; prices vary a little around the family's price."""

    def __init__(self, prefix: str, rng: random.Random, *, markup: str = "1"):
        self.prefix, self.rng, self.markup = prefix, rng, Decimal(markup)
        self.rows: list[list] = []
        self.numbers: Counter[str] = Counter()

    def add(self, stem, fr, nl, price, cpv, *, unit="pièce", minimum=1, days=2, code=None) -> None:
        self.numbers[stem] += 1
        reference = code or f"{self.prefix}-{stem}-{self.numbers[stem]:03d}"
        jitter = Decimal(self.rng.randint(970, 1030)) / 1000
        unit_price = (Decimal(str(price)) * self.markup * jitter).quantize(CENT, rounding=ROUND_HALF_UP)
        list_price = None
        if self.rng.random() < 0.9:
            list_price = (unit_price * Decimal(self.rng.randint(110, 130)) / 100).quantize(CENT, ROUND_HALF_UP)
        self.rows.append(
            [
                reference,
                fr,
                nl,
                unit,
                float(unit_price),
                21,
                None if list_price is None else float(list_price),
                cpv,
                minimum,
                days,
            ]
        )


# --- Office supplies (lot 1) -------------------------------------------------------------------

COLOURS = {"bleu": "blauw", "noir": "zwart", "rouge": "rood", "vert": "groen"}
BRIGHT = {"jaune": "geel", "vert": "groen", "rose": "roze", "orange": "oranje", "bleu": "blauw"}
BINDER_COLOURS = {**COLOURS, "jaune": "geel", "blanc": "wit", "gris": "grijs", "orange": "oranje"}


def office_supplies(sheet: PriceList) -> None:
    papers = [
        ("Navigator Universal", 4.20),
        ("Clairefontaine DCP", 5.10),
        ("Double A Premium", 4.60),
        ("Rey Office", 3.70),
        ("Papyrus Recycled (recyclé, Ange bleu)", 3.95),
    ]
    for (brand, price), size, grams in product(papers, ("A4", "A3"), (80, 90, 100, 120)):
        factor = (2 if size == "A3" else 1) * (1 + (grams - 80) / 80)
        sheet.add(
            "PAP",
            f"Papier pour copieur {brand} {size} {grams} g, ramette de 500 feuilles",
            f"Kopieerpapier {brand} {size} {grams} g, pak van 500 vel",
            price * factor,
            "30197642-8",
            minimum=5,
        )
    for colour, nl in {**BRIGHT, "ivoire": "ivoor", "gris": "grijs", "rouge": "rood", "violet": "paars"}.items():
        for size in ("A4", "A3"):
            sheet.add(
                "PAC",
                f"Papier couleur Clairefontaine Trophée {size} 80 g {colour}, ramette de 500 feuilles",
                f"Gekleurd papier Clairefontaine Trophée {size} 80 g {nl}, pak van 500 vel",
                7.80 if size == "A4" else 15.20,
                "30197630-1",
            )
    for kind, nl, price in (
        ("C5 (162 x 229 mm) fenêtre à gauche, autocollantes", "C5 (162 x 229 mm) venster links, zelfklevend", 31.50),
        ("C5 (162 x 229 mm) sans fenêtre, autocollantes", "C5 (162 x 229 mm) zonder venster, zelfklevend", 27.90),
        ("C4 (229 x 324 mm) sans fenêtre, à bande", "C4 (229 x 324 mm) zonder venster, met strip", 54.00),
        ("C4 (229 x 324 mm) fenêtre à gauche, à bande", "C4 (229 x 324 mm) venster links, met strip", 59.00),
        ("DL (110 x 220 mm) fenêtre à droite, autocollantes", "DL (110 x 220 mm) venster rechts, zelfklevend", 24.60),
        ("DL (110 x 220 mm) sans fenêtre, autocollantes", "DL (110 x 220 mm) zonder venster, zelfklevend", 21.80),
        ("C6 (114 x 162 mm) sans fenêtre, gommées", "C6 (114 x 162 mm) zonder venster, gegomd", 15.40),
        ("à soufflet C4 kraft brun, à bande", "met balg C4 bruin kraft, met strip", 96.00),
    ):
        for paper, paper_nl, factor in (("blanches", "wit", 1.0), ("recyclées", "gerecycleerd", 1.08)):
            sheet.add(
                "ENV",
                f"Enveloppes {kind}, {paper}, boîte de 500",
                f"Enveloppen {nl}, {paper_nl}, doos van 500",
                price * factor,
                "30199230-1",
            )
    for (brand, price), spine, (colour, nl) in product(
        (("Leitz 180° WOW", 4.35), ("Esselte No.1 Power", 3.40), ("Exacompta Prem'Touch", 2.95)),
        ("50 mm", "80 mm"),
        BINDER_COLOURS.items(),
    ):
        sheet.add(
            "CLA",
            f"Classeur à levier {brand} A4 dos {spine} {colour}",
            f"Ordner {brand} A4 rug {spine} {nl}",
            price + (0.25 if spine == "80 mm" else 0),
            "22851000-0",
        )
    for rings, width, (colour, nl) in product((2, 4), ("25 mm", "40 mm"), COLOURS.items()):
        sheet.add(
            "ANN",
            f"Classeur à {rings} anneaux A4 dos {width} polypropylène {colour}",
            f"Ringmap {rings} ringen A4 rug {width} polypropyleen {nl}",
            2.10 + rings * 0.15,
            "30197210-1",
        )
    for (kind, nl, price), (colour, colour_nl) in product(
        (
            ("Farde à rabats et élastiques A4 carton", "Elastomap met kleppen A4 karton", 1.35),
            ("Chemise cartonnée A4 250 g, paquet de 100", "Dossiermap A4 250 g, pak van 100", 14.90),
            ("Farde de présentation A4 20 pochettes", "Showalbum A4 20 tassen", 2.45),
        ),
        {**BRIGHT, "rouge": "rood"}.items(),
    ):
        sheet.add("FAR", f"{kind} {colour}", f"{nl} {colour_nl}", price, "22852000-7")
    for kind, nl, price in (
        ("A4 12 onglets numérotés 1-12", "A4 12 tabs genummerd 1-12", 1.95),
        ("A4 31 onglets 1-31", "A4 31 tabs 1-31", 3.80),
        ("A4 onglets A-Z", "A4 tabs A-Z", 3.20),
        ("A4 5 onglets couleur", "A4 5 gekleurde tabs", 0.85),
        ("A4 10 onglets couleur", "A4 10 gekleurde tabs", 1.40),
        ("A4 maxi 6 onglets carton", "A4 maxi 6 kartonnen tabs", 1.10),
    ):
        sheet.add("INT", f"Intercalaires {kind}", f"Tabbladen {nl}", price, "30199600-6")
    for (pen, nl, price, pack), (colour, colour_nl) in product(
        (
            ("Stylo bille BIC Cristal Medium", "Balpen BIC Cristal Medium", 11.50, "boîte de 50"),
            ("Stylo bille BIC Orange Fine", "Balpen BIC Orange Fine", 10.90, "boîte de 20"),
            ("Stylo bille rétractable Pilot BPS-GP", "Intrekbare balpen Pilot BPS-GP", 13.20, "boîte de 12"),
            ("Roller gel Pilot G-2 07", "Gelroller Pilot G-2 07", 17.40, "boîte de 12"),
            ("Roller Pentel EnerGel BL77", "Roller Pentel EnerGel BL77", 21.00, "boîte de 12"),
            ("Stylo bille Schneider Slider Edge XB", "Balpen Schneider Slider Edge XB", 14.80, "boîte de 10"),
        ),
        COLOURS.items(),
    ):
        pack_nl = pack.replace("boîte de", "doos van")
        sheet.add("STY", f"{pen} {colour}, {pack}", f"{nl} {colour_nl}, {pack_nl}", price, "30192121-5")
    for colour, nl in {**BRIGHT, "violet": "paars"}.items():
        sheet.add(
            "SUR",
            f"Surligneur Stabilo Boss Original {colour}, boîte de 10",
            f"Markeerstift Stabilo Boss Original {nl}, doos van 10",
            9.60,
            "30192125-3",
        )
    sheet.add(
        "SUR",
        "Surligneurs Stabilo Boss Original, pochette de 6 couleurs",
        "Markeerstiften Stabilo Boss Original, etui van 6 kleuren",
        6.40,
        "30192125-3",
    )
    for (marker, nl, price), (colour, colour_nl) in product(
        (
            ("Marqueur permanent Edding 3000 pointe ogive", "Permanente marker Edding 3000 ronde punt", 1.45),
            ("Marqueur permanent Edding 400 pointe fine", "Permanente marker Edding 400 fijne punt", 1.35),
            ("Marqueur pour tableau blanc Edding 360", "Whiteboardmarker Edding 360", 1.55),
        ),
        COLOURS.items(),
    ):
        sheet.add("MAR", f"{marker} {colour}", f"{nl} {colour_nl}", price, "30192125-3")
    for fr, nl, price, cpv in (
        (
            "Crayon graphite Staedtler Noris HB, boîte de 12",
            "Potlood Staedtler Noris HB, doos van 12",
            5.90,
            "30192130-1",
        ),
        (
            "Crayon graphite Staedtler Noris 2B, boîte de 12",
            "Potlood Staedtler Noris 2B, doos van 12",
            5.90,
            "30192130-1",
        ),
        ("Porte-mine Pentel P205 0,5 mm", "Vulpotlood Pentel P205 0,5 mm", 3.20, "30192131-8"),
        ("Mines Pentel Ain 0,5 mm HB, étui de 40", "Stiften Pentel Ain 0,5 mm HB, koker van 40", 1.60, "30192132-5"),
        ("Gomme Staedtler Mars plastic", "Gum Staedtler Mars plastic", 0.75, "30192100-2"),
        ("Taille-crayon métal 1 trou Maped", "Metalen puntenslijper 1 gat Maped", 0.65, "30192133-2"),
        ("Taille-crayon à réservoir 2 trous Maped", "Puntenslijper met reservoir 2 gaten Maped", 1.90, "30192133-2"),
        (
            "Correcteur Tipp-Ex Mini Pocket Mouse 5 mm x 6 m",
            "Correctieroller Tipp-Ex Mini Pocket Mouse 5 mm x 6 m",
            1.85,
            "30192910-3",
        ),
        ("Correcteur Pritt Compact 4,2 mm x 10 m", "Correctieroller Pritt Compact 4,2 mm x 10 m", 2.40, "30192910-3"),
        ("Correcteur liquide Tipp-Ex Rapid 20 ml", "Correctievloeistof Tipp-Ex Rapid 20 ml", 1.70, "30192920-6"),
        ("Colle en bâton Pritt 22 g", "Lijmstift Pritt 22 g", 1.95, "24910000-6"),
        ("Colle en bâton UHU Stic 40 g", "Lijmstift UHU Stic 40 g", 2.60, "24910000-6"),
        ("Colle liquide UHU All Purpose 35 ml", "Alleslijm UHU All Purpose 35 ml", 2.90, "24910000-6"),
        ("Ruban adhésif Scotch Magic 19 mm x 33 m", "Plakband Scotch Magic 19 mm x 33 m", 2.55, "30192700-8"),
        (
            "Ruban adhésif transparent 19 mm x 33 m, lot de 8",
            "Transparant plakband 19 mm x 33 m, set van 8",
            5.40,
            "30192700-8",
        ),
        ("Ruban d'emballage brun 50 mm x 66 m", "Bruine verpakkingstape 50 mm x 66 m", 2.10, "30192700-8"),
        ("Dévidoir de bureau Scotch C38 noir", "Plakbandhouder Scotch C38 zwart", 9.80, "30192700-8"),
        ("Agrafeuse Rapid Classic K1 24/6", "Nietmachine Rapid Classic K1 24/6", 14.50, "30197320-5"),
        ("Agrafeuse Leitz NeXXt 5502 30 feuilles", "Nietmachine Leitz NeXXt 5502 30 vel", 11.90, "30197320-5"),
        ("Agrafeuse grande capacité Rapid HD110 110 feuilles", "Blokniettang Rapid HD110 110 vel", 49.00, "30197320-5"),
        ("Agrafes Rapid 24/6, boîte de 5000", "Nietjes Rapid 24/6, doos van 5000", 2.30, "30197110-0"),
        ("Agrafes Leitz 26/6, boîte de 1000", "Nietjes Leitz 26/6, doos van 1000", 0.95, "30197110-0"),
        ("Agrafes Rapid 23/13, boîte de 1000", "Nietjes Rapid 23/13, doos van 1000", 3.90, "30197110-0"),
        ("Dégrafeuse Rapid C2", "Ontnieter Rapid C2", 2.20, "30197321-2"),
        ("Perforateur 2 trous Leitz 5008 30 feuilles", "Perforator 2 gaten Leitz 5008 30 vel", 12.40, "30197330-8"),
        ("Perforateur 4 trous Leitz 5012 30 feuilles", "Perforator 4 gaten Leitz 5012 30 vel", 29.90, "30197330-8"),
        ("Trombones 32 mm, boîte de 100", "Paperclips 32 mm, doos van 100", 0.55, "30197220-4"),
        ("Trombones 50 mm, boîte de 100", "Paperclips 50 mm, doos van 100", 1.20, "30197220-4"),
        ("Pinces double clip 32 mm, boîte de 12", "Foldbackclips 32 mm, doos van 12", 1.95, "30197220-4"),
        ("Punaises dorées, boîte de 100", "Punaises goud, doos van 100", 0.80, "30197130-6"),
        ("Ciseaux Maped Advanced 21 cm", "Schaar Maped Advanced 21 cm", 3.60, "30197000-6"),
        ("Cutter Maped Universal 18 mm", "Afbreekmes Maped Universal 18 mm", 2.40, "30197000-6"),
        ("Règle plate aluminium 30 cm", "Aluminium liniaal 30 cm", 2.10, "30197000-6"),
        ("Élastiques assortis, boîte de 100 g", "Elastieken assorti, doos van 100 g", 1.70, "30197000-6"),
        (
            "Calculatrice de bureau Casio MS-80F 8 chiffres",
            "Bureaurekenmachine Casio MS-80F 8 cijfers",
            11.80,
            "30141200-1",
        ),
        ("Calculatrice imprimante Casio HR-150RCE", "Printende rekenmachine Casio HR-150RCE", 49.90, "30141200-1"),
        ("Piles alcalines Duracell AA, paquet de 10", "Alkalinebatterijen Duracell AA, pak van 10", 9.90, "31411000-0"),
        (
            "Piles alcalines Duracell AAA, paquet de 10",
            "Alkalinebatterijen Duracell AAA, pak van 10",
            9.90,
            "31411000-0",
        ),
        ("Tampon dateur Trodat Printy 4810 (français)", "Datumstempel Trodat Printy 4810 (Frans)", 11.20, "30192150-7"),
        (
            "Tampon « Reçu le » avec date Trodat 4750",
            "Stempel « Ontvangen op » met datum Trodat 4750",
            39.50,
            "30192150-7",
        ),
        ("Tampon encreur Trodat 6/4750 noir", "Inktkussen Trodat 6/4750 zwart", 5.60, "30192111-2"),
    ):
        sheet.add("DIV", fr, nl, price, cpv)
    for size, nl_size, price in (
        ("76 x 76 mm jaune", "76 x 76 mm geel", 0.95),
        ("76 x 127 mm jaune", "76 x 127 mm geel", 1.45),
        ("38 x 51 mm jaune, lot de 3", "38 x 51 mm geel, set van 3", 1.30),
        ("76 x 76 mm couleurs néon, lot de 6", "76 x 76 mm neonkleuren, set van 6", 7.90),
        ("Super Sticky 76 x 76 mm, lot de 12", "Super Sticky 76 x 76 mm, set van 12", 16.50),
        ("marque-pages Index 12 x 43 mm, 4 couleurs", "Index-markeerstrookjes 12 x 43 mm, 4 kleuren", 4.20),
    ):
        sheet.add(
            "NOT",
            f"Notes repositionnables Post-it {size}",
            f"Zelfklevende notitieblaadjes Post-it {nl_size}",
            price,
            "30199410-7",
        )
    for ref, fr, nl, price in (
        (
            "L7160",
            "Étiquettes Avery L7160 63,5 x 38,1 mm, 21 par feuille",
            "Etiketten Avery L7160 63,5 x 38,1 mm, 21 per vel",
            24.00,
        ),
        (
            "L7163",
            "Étiquettes Avery L7163 99,1 x 38,1 mm, 14 par feuille",
            "Etiketten Avery L7163 99,1 x 38,1 mm, 14 per vel",
            24.00,
        ),
        (
            "L7165",
            "Étiquettes Avery L7165 99,1 x 67,7 mm, 8 par feuille",
            "Etiketten Avery L7165 99,1 x 67,7 mm, 8 per vel",
            24.00,
        ),
        (
            "L7173",
            "Étiquettes Avery L7173 99,1 x 57 mm, 10 par feuille",
            "Etiketten Avery L7173 99,1 x 57 mm, 10 per vel",
            24.00,
        ),
        (
            "3475",
            "Étiquettes Avery 3475 70 x 36 mm, 24 par feuille",
            "Etiketten Avery 3475 70 x 36 mm, 24 per vel",
            19.50,
        ),
        (
            "L7651",
            "Étiquettes Avery L7651 38,1 x 21,2 mm, 65 par feuille",
            "Etiketten Avery L7651 38,1 x 21,2 mm, 65 per vel",
            26.50,
        ),
    ):
        sheet.add(
            "ETI", f"{fr}, boîte de 100 feuilles", f"{nl}, doos van 100 vel", price, "30192800-9", code=f"BM-AVE-{ref}"
        )
    for fr, nl, price, cpv in (
        ("Boîte d'archives carton dos 80 mm", "Archiefdoos karton rug 80 mm", 1.45, "30193700-5"),
        ("Boîte d'archives carton dos 100 mm", "Archiefdoos karton rug 100 mm", 1.65, "30193700-5"),
        ("Boîte d'archives carton dos 150 mm", "Archiefdoos karton rug 150 mm", 2.10, "30193700-5"),
        ("Conteneur d'archives pour 5 boîtes", "Archiefcontainer voor 5 dozen", 4.80, "30199500-5"),
        ("Boîte de classement à élastique dos 40 mm", "Elastobox rug 40 mm", 3.10, "30199500-5"),
        ("Porte-revues carton A4 dos 75 mm", "Tijdschriftencassette karton A4 rug 75 mm", 1.60, "30191120-1"),
        (
            "Porte-revues plastique A4 dos 75 mm noir",
            "Tijdschriftencassette kunststof A4 rug 75 mm zwart",
            3.40,
            "30191120-1",
        ),
        ("Corbeille à courrier A4 noire", "Brievenbak A4 zwart", 3.90, "30193200-0"),
        ("Corbeille à courrier A4 bleue", "Brievenbak A4 blauw", 3.90, "30193200-0"),
        ("Trieur 6 compartiments A4", "Sorteerder 6 vakken A4", 21.50, "30193200-0"),
        ("Pochettes perforées A4 lisses, boîte de 100", "Showtassen A4 glad, doos van 100", 4.90, "30192700-8"),
        (
            "Pochettes perforées A4 grainées 80 µ, boîte de 100",
            "Showtassen A4 korrel 80 µ, doos van 100",
            7.40,
            "30192700-8",
        ),
        ("Pochettes coin A4 transparentes, paquet de 100", "L-mappen A4 transparant, pak van 100", 8.60, "30192700-8"),
    ):
        sheet.add("RAN", fr, nl, price, cpv)
    for fr, nl, price, cpv in (
        (
            "Bloc de cours A4 ligné 80 feuilles perforé",
            "Collegeblok A4 gelijnd 80 vel geperforeerd",
            1.85,
            "22816100-4",
        ),
        ("Bloc de cours A4 quadrillé 5 mm 80 feuilles", "Collegeblok A4 geruit 5 mm 80 vel", 1.85, "22816100-4"),
        ("Bloc-notes A5 ligné 100 feuilles", "Notitieblok A5 gelijnd 100 vel", 1.20, "22816100-4"),
        ("Bloc sténo 100 feuilles ligné", "Stenoblok 100 vel gelijnd", 1.05, "22816100-4"),
        ("Cahier A4 ligné 96 pages couverture carton", "Schrift A4 gelijnd 96 blz. kartonnen kaft", 1.40, "22830000-7"),
        ("Cahier A5 quadrillé 96 pages", "Schrift A5 geruit 96 blz.", 0.95, "22830000-7"),
        ("Carnet de notes A5 couverture rigide 192 pages", "Notitieboek A5 harde kaft 192 blz.", 8.90, "22816000-3"),
        ("Agenda de bureau 2027 1 jour par page", "Bureau-agenda 2027 1 dag per pagina", 14.50, "22817000-0"),
        ("Agenda de poche 2027 1 semaine sur 2 pages", "Zakagenda 2027 1 week op 2 pagina's", 7.20, "22817000-0"),
        ("Bloc de feuilles pour chevalet 65 x 98 cm 20 feuilles", "Flipoverblok 65 x 98 cm 20 vel", 6.30, "30197621-5"),
        (
            "Tableau blanc magnétique 90 x 60 cm cadre aluminium",
            "Magnetisch whiteboard 90 x 60 cm aluminium kader",
            59.00,
            "30195000-2",
        ),
        (
            "Tableau blanc magnétique 120 x 90 cm cadre aluminium",
            "Magnetisch whiteboard 120 x 90 cm aluminium kader",
            99.00,
            "30195000-2",
        ),
        ("Tableau de liège 60 x 45 cm cadre bois", "Kurkbord 60 x 45 cm houten kader", 18.90, "30192170-3"),
    ):
        sheet.add("BLO", fr, nl, price, cpv)


# --- Laptops and accessories (lot 2) -----------------------------------------------------------

PROCESSORS = [("Intel Core Ultra 5 125U", "U5", 0), ("Intel Core Ultra 7 155U", "U7", 210)]
MEMORY = [("16 Go", "16 GB", 0), ("32 Go", "32 GB", 140)]
STORAGE = [("SSD 512 Go", "SSD 512 GB", "512", 0), ("SSD 1 To", "SSD 1 TB", "1T", 90)]
KEYBOARDS = [
    ("clavier AZERTY belge", "Belgisch AZERTY-toetsenbord", "BE"),
    ("clavier QWERTY US", "US QWERTY-toetsenbord", "US"),
]


def laptops(sheet: PriceList, models: list[tuple[str, str, float]], days: int) -> None:
    """Every configuration of each model, and its warranty extensions."""
    for model, code, price in models:
        for (cpu, cpu_code, cpu_extra), (memory, memory_nl, memory_extra), (disk, disk_nl, disk_code, disk_extra), (
            keyboard,
            keyboard_nl,
            layout,
        ) in product(PROCESSORS, MEMORY, STORAGE, KEYBOARDS):
            sheet.add(
                "PC",
                f"Ordinateur portable {model}, {cpu}, {memory} RAM, {disk}, Windows 11 Pro, {keyboard}",
                f"Laptop {model}, {cpu}, {memory_nl} RAM, {disk_nl}, Windows 11 Pro, {keyboard_nl}",
                price + cpu_extra + memory_extra + disk_extra,
                "30213100-6",
                unit="C62",
                days=days,
                code=f"{sheet.prefix}-{code}-{cpu_code}-{memory[:2]}-{disk_code}-{layout}",
            )
        for fr, nl, suffix, share in (
            (
                "Extension de garantie 5 ans sur site J+1",
                "Garantie-uitbreiding 5 jaar op locatie volgende werkdag",
                "G5",
                0.11,
            ),
            ("Protection dommages accidentels 3 ans", "Bescherming tegen accidentele schade 3 jaar", "ADP3", 0.07),
        ):
            sheet.add(
                "GAR",
                f"{fr} pour {model}",
                f"{nl} voor {model}",
                price * share,
                "50320000-4",
                unit="C62",
                days=1,
                code=f"{sheet.prefix}-{code}-{suffix}",
            )


def accessories(sheet: PriceList, *, screens, docks, chargers) -> None:
    for model, size, nl_size, price in screens:
        sheet.add(
            "ECR",
            f"Écran {model} {size}, Full HD IPS, réglable en hauteur, USB-C",
            f"Beeldscherm {model} {nl_size}, Full HD IPS, in hoogte verstelbaar, USB-C",
            price,
            "30231300-0",
            unit="C62",
            days=5,
        )
    for model, price in docks:
        sheet.add(
            "DOC", f"Station d'accueil {model}", f"Dockingstation {model}", price, "30237000-9", unit="C62", days=5
        )
    for model, watts, price in chargers:
        sheet.add(
            "ALI",
            f"Adaptateur secteur {model} USB-C {watts} W",
            f"Netadapter {model} USB-C {watts} W",
            price,
            "30237280-5",
            unit="C62",
            days=3,
        )
    for fr, nl, price, cpv in (
        (
            "Ensemble clavier et souris sans fil Logitech MK270 AZERTY belge",
            "Draadloze set toetsenbord en muis Logitech MK270 Belgisch AZERTY",
            27.50,
            "30237460-1",
        ),
        (
            "Ensemble clavier et souris sans fil Logitech MK540 AZERTY belge",
            "Draadloze set toetsenbord en muis Logitech MK540 Belgisch AZERTY",
            49.00,
            "30237460-1",
        ),
        (
            "Clavier filaire Logitech K120 AZERTY belge",
            "Bedraad toetsenbord Logitech K120 Belgisch AZERTY",
            11.90,
            "30237460-1",
        ),
        ("Clavier Cherry Stream AZERTY belge", "Toetsenbord Cherry Stream Belgisch AZERTY", 19.90, "30237460-1"),
        ("Souris sans fil Logitech M185", "Draadloze muis Logitech M185", 11.50, "30237410-6"),
        ("Souris sans fil Logitech M705 Marathon", "Draadloze muis Logitech M705 Marathon", 34.00, "30237410-6"),
        (
            "Souris ergonomique verticale Logitech Lift",
            "Ergonomische verticale muis Logitech Lift",
            59.00,
            "30237410-6",
        ),
        ("Tapis de souris avec repose-poignet gel", "Muismat met gel-polssteun", 8.90, "30237220-7"),
        ("Casque Jabra Evolve2 30 SE USB-A stéréo", "Headset Jabra Evolve2 30 SE USB-A stereo", 59.00, "32342100-3"),
        ("Casque Jabra Evolve2 40 SE USB-C stéréo", "Headset Jabra Evolve2 40 SE USB-C stereo", 89.00, "32342100-3"),
        ("Casque sans fil Jabra Evolve2 65 Flex", "Draadloze headset Jabra Evolve2 65 Flex", 199.00, "32342100-3"),
        ("Casque Logitech Zone Wired Teams", "Headset Logitech Zone Wired Teams", 89.00, "32342100-3"),
        ("Webcam Logitech C920 Full HD", "Webcam Logitech C920 Full HD", 69.00, "30237240-3"),
        ("Webcam Logitech Brio 300", "Webcam Logitech Brio 300", 59.00, "30237240-3"),
        ("Sacoche pour ordinateur portable 14 pouces", "Laptoptas 14 inch", 29.00, "30237270-2"),
        ("Sacoche pour ordinateur portable 15,6 pouces", "Laptoptas 15,6 inch", 32.00, "30237270-2"),
        ("Sac à dos pour ordinateur portable 15,6 pouces", "Laptoprugzak 15,6 inch", 45.00, "30237270-2"),
        ("Housse de protection 14 pouces néoprène", "Beschermhoes 14 inch neopreen", 14.50, "30237270-2"),
        ("Filtre de confidentialité 14 pouces 16:9", "Privacyfilter 14 inch 16:9", 49.00, "30237210-4"),
        ("Filtre de confidentialité 23,8 pouces 16:9", "Privacyfilter 23,8 inch 16:9", 69.00, "30237210-4"),
        ("Câble antivol Kensington N17 à clé", "Kensington N17-laptopslot met sleutel", 39.00, "30237000-9"),
        ("Câble antivol Kensington à combinaison", "Kensington-kabelslot met cijfercode", 34.00, "30237000-9"),
        (
            "Support pour ordinateur portable réglable aluminium",
            "Verstelbare laptopstandaard aluminium",
            39.00,
            "30237000-9",
        ),
        ("Bras de moniteur simple à vérin", "Monitorarm enkel met gasveer", 89.00, "30237260-9"),
        ("Bras de moniteur double à vérin", "Monitorarm dubbel met gasveer", 149.00, "30237260-9"),
        (
            "Clé USB Kingston DataTraveler Exodia 64 Go",
            "USB-stick Kingston DataTraveler Exodia 64 GB",
            7.50,
            "30234600-4",
        ),
        (
            "Clé USB Kingston DataTraveler Exodia 128 Go",
            "USB-stick Kingston DataTraveler Exodia 128 GB",
            11.90,
            "30234600-4",
        ),
        (
            "Clé USB chiffrée Kingston IronKey 32 Go",
            "Versleutelde USB-stick Kingston IronKey 32 GB",
            89.00,
            "30234600-4",
        ),
        (
            "Disque dur externe WD Elements 2 To USB 3.0",
            "Externe harde schijf WD Elements 2 TB USB 3.0",
            79.00,
            "30233132-5",
        ),
        ("SSD externe Samsung T7 1 To USB-C", "Externe SSD Samsung T7 1 TB USB-C", 99.00, "30233132-5"),
        (
            "Barrette mémoire 16 Go DDR5 SO-DIMM 5600 MHz",
            "Geheugenmodule 16 GB DDR5 SO-DIMM 5600 MHz",
            49.00,
            "30237100-0",
        ),
        (
            "Barrette mémoire 32 Go DDR5 SO-DIMM 5600 MHz",
            "Geheugenmodule 32 GB DDR5 SO-DIMM 5600 MHz",
            95.00,
            "30237100-0",
        ),
        ("SSD interne M.2 NVMe 1 To", "Interne SSD M.2 NVMe 1 TB", 89.00, "30237100-0"),
        ("Bombe d'air sec 400 ml", "Perslucht spuitbus 400 ml", 6.90, "30237252-0"),
        ("Kit de nettoyage écran et clavier", "Reinigingsset scherm en toetsenbord", 8.50, "30237251-3"),
        (
            "Multiprise 6 prises avec interrupteur 1,5 m",
            "Stekkerdoos 6 contacten met schakelaar 1,5 m",
            14.90,
            "31224810-3",
        ),
        (
            "Multiprise parafoudre 8 prises 2 m",
            "Stekkerdoos met overspanningsbeveiliging 8 contacten 2 m",
            34.00,
            "31224810-3",
        ),
        (
            "Préparation et déploiement d'un poste (image IMIO, inventaire)",
            "Voorbereiding en uitrol van een werkpost (IMIO-image, inventaris)",
            45.00,
            "72610000-9",
        ),
        (
            "Reprise et effacement certifié d'un ancien ordinateur",
            "Terugname en gecertificeerd wissen van een oude computer",
            15.00,
            "72610000-9",
        ),
    ):
        sheet.add("ACC", fr, nl, price, cpv, unit="C62", days=3)
    for kind, nl, price in (
        ("HDMI 2.0 mâle-mâle", "HDMI 2.0 male-male", 6.90),
        ("DisplayPort 1.4 mâle-mâle", "DisplayPort 1.4 male-male", 9.90),
        ("USB-C vers USB-C 100 W", "USB-C naar USB-C 100 W", 12.90),
        ("USB-C vers HDMI 4K", "USB-C naar HDMI 4K", 16.90),
        ("réseau RJ45 Cat 6 U/UTP gris", "netwerkkabel RJ45 Cat 6 U/UTP grijs", 3.40),
        ("d'alimentation C13 (PC, écran)", "voedingskabel C13 (pc, scherm)", 4.20),
    ):
        for metres, factor in (("1 m", 1.0), ("2 m", 1.25), ("3 m", 1.5), ("5 m", 2.1)):
            sheet.add("CAB", f"Câble {kind} {metres}", f"Kabel {nl} {metres}", price * factor, "30237000-9", unit="C62")
    for fr, nl, price in (
        ("Adaptateur USB-C vers HDMI", "Adapter USB-C naar HDMI", 19.90),
        ("Adaptateur USB-C vers RJ45 Gigabit", "Adapter USB-C naar RJ45 Gigabit", 24.90),
        ("Adaptateur USB-C vers USB-A", "Adapter USB-C naar USB-A", 7.90),
        (
            "Adaptateur multiport USB-C (HDMI, USB-A, RJ45, lecteur SD)",
            "Multiport-adapter USB-C (HDMI, USB-A, RJ45, SD-lezer)",
            49.00,
        ),
        ("Hub USB-A 4 ports USB 3.0", "USB-A-hub 4 poorten USB 3.0", 19.90),
    ):
        sheet.add("ADA", fr, nl, price, "30237000-9", unit="C62")


def informatique_wallonne(sheet: PriceList) -> None:
    laptops(
        sheet,
        [
            ("Dell Latitude 5450 14 pouces", "DL-LAT5450", 895.0),
            ("Dell Latitude 7450 14 pouces", "DL-LAT7450", 1245.0),
            ("Dell Latitude 5550 15,6 pouces", "DL-LAT5550", 925.0),
            ("Lenovo ThinkPad T14 Gen 5", "LN-21ML", 1095.0),
            ("Lenovo ThinkPad L14 Gen 5", "LN-21L1", 869.0),
            ("Lenovo ThinkPad E16 Gen 2", "LN-21MA", 749.0),
        ],
        days=10,
    )
    accessories(
        sheet,
        screens=[
            ("Dell P2425H", "24 pouces", "24 inch", 179.0),
            ("Dell P2725H", "27 pouces", "27 inch", 239.0),
            ("Dell P2425HE", "24 pouces", "24 inch", 229.0),
            ("Dell U2724DE QHD", "27 pouces", "27 inch", 449.0),
            ("Lenovo ThinkVision T24i-30", "23,8 pouces", "23,8 inch", 169.0),
            ("Lenovo ThinkVision T27i-30", "27 pouces", "27 inch", 219.0),
            ("Lenovo ThinkVision T24h-30 QHD", "23,8 pouces", "23,8 inch", 259.0),
            ("Iiyama ProLite XUB2493HS", "24 pouces", "24 inch", 139.0),
        ],
        docks=[
            ("Dell Pro Dock WD25", 229.0),
            ("Dell Dock WD19S 130 W", 199.0),
            ("Dell Thunderbolt Dock WD22TB4", 319.0),
            ("Lenovo ThinkPad Universal USB-C Dock", 189.0),
            ("Lenovo ThinkPad Thunderbolt 4 Dock", 299.0),
        ],
        chargers=[("Dell", 65, 39.0), ("Dell", 90, 55.0), ("Lenovo", 65, 42.0), ("Lenovo", 100, 59.0)],
    )


def bureau_meuse_computers(sheet: PriceList) -> None:
    laptops(
        sheet,
        [
            ("HP EliteBook 640 G11 14 pouces", "HP-A37Y", 935.0),
            ("HP EliteBook 840 G11 14 pouces", "HP-A37Z", 1079.0),
            ("HP ProBook 450 G11 15,6 pouces", "HP-A38C", 819.0),
            ("Lenovo ThinkPad L14 Gen 5", "LN-21L1", 899.0),
        ],
        days=12,
    )
    accessories(
        sheet,
        screens=[
            ("HP E24 G5", "23,8 pouces", "23,8 inch", 175.0),
            ("HP E27 G5", "27 pouces", "27 inch", 235.0),
            ("HP Series 5 Pro 524pu", "23,8 pouces", "23,8 inch", 229.0),
            ("Lenovo ThinkVision T24i-30", "23,8 pouces", "23,8 inch", 175.0),
        ],
        docks=[("HP USB-C Dock G5", 189.0), ("HP Thunderbolt Dock G4 120 W", 279.0)],
        chargers=[("HP", 65, 45.0), ("HP", 90, 62.0)],
    )


# --- The workbook ------------------------------------------------------------------------------

SHEETS = {
    "Fournitures de bureau": ("BM", "1", office_supplies),
    "Informatique - Wallonne": ("IW", "1", informatique_wallonne),
    "Informatique - Bureau Meuse": ("BM", "1.04", bureau_meuse_computers),  # rank 2: a little dearer
}


def build() -> dict[str, pd.DataFrame]:
    rng = random.Random(SEED)  # noqa: S311 — demo data, not a secret
    frames = {}
    for name, (prefix, markup, fill) in SHEETS.items():
        sheet = PriceList(prefix, rng, markup=markup)
        fill(sheet)
        references = [row[0] for row in sheet.rows]
        duplicates = {reference for reference in references if references.count(reference) > 1}
        assert not duplicates, f"{name}: duplicate references {sorted(duplicates)[:5]}"
        frames[name] = pd.DataFrame(sheet.rows, columns=HEADERS)
    return frames


def _reproducible(data: bytes) -> bytes:
    """The same workbook gives the same bytes: fixed dates in the document and in the zip."""
    source = zipfile.ZipFile(io.BytesIO(data))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(rb"(<dcterms:(created|modified)[^>]*>)[^<]*", rb"\g<1>" + FIXED_DATE.encode(), content)
            target.writestr(
                zipfile.ZipInfo(info.filename, date_time=(2026, 5, 1, 0, 0, 0)), content, zipfile.ZIP_DEFLATED
            )
    return output.getvalue()


def write(path: Path = WORKBOOK) -> dict[str, int]:
    buffer = io.BytesIO()
    frames = build()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in frames.items():
            frame.to_excel(writer, sheet_name=name, index=False)
            worksheet = writer.sheets[name]
            for letter, width in zip("ABCDEFGHIJ", (22, 90, 90, 8, 12, 9, 12, 12, 10, 12), strict=True):
                worksheet.column_dimensions[letter].width = width
            worksheet.freeze_panes = "A2"
    path.write_bytes(_reproducible(buffer.getvalue()))
    return {name: len(frame) for name, frame in frames.items()}


if __name__ == "__main__":
    for sheet_name, count in write().items():
        print(f"{sheet_name}: {count} lines")  # noqa: T201
    print(f"Written {WORKBOOK}")  # noqa: T201
