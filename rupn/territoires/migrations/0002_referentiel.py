"""Les 30 académies et leurs départements, et les années scolaires récentes.

Source : rupn/territoires/data/academies_departements.csv, tiré du fichier national
de géolocalisation des collèges (ministère de l'Éducation nationale, Licence Ouverte).
Les vice-rectorats (hors contour des académies de 2020) ne sont pas repris.
"""

import csv
import datetime
from pathlib import Path

from django.db import migrations

FICHIER = Path(__file__).resolve().parent.parent / "data" / "academies_departements.csv"


def charger(apps, schema_editor):
    Academie = apps.get_model("territoires", "Academie")
    Departement = apps.get_model("territoires", "Departement")
    AnneeScolaire = apps.get_model("territoires", "AnneeScolaire")
    with FICHIER.open(encoding="utf-8") as fichier:
        for ligne in csv.DictReader(fichier, delimiter=";"):
            if ligne["in_contour_academies_2020"] != "oui":
                continue
            academie, _ = Academie.objects.get_or_create(
                code=ligne["code_academie"],
                defaults={
                    "nom": ligne["libelle_academie"],
                    "region": ligne["libelle_region"],
                },
            )
            Departement.objects.get_or_create(
                code=ligne["code_departement"],
                defaults={
                    "nom": ligne["libelle_departement"],
                    "academie": academie,
                    "prefixe_uai": ligne["uai_prefix"],
                },
            )
    for rentree in range(2022, 2028):
        AnneeScolaire.objects.get_or_create(
            code=f"{rentree}-{rentree + 1}",
            defaults={
                "debut": datetime.date(rentree, 9, 1),
                "fin": datetime.date(rentree + 1, 8, 31),
            },
        )


class Migration(migrations.Migration):
    dependencies = [("territoires", "0001_initial")]

    operations = [migrations.RunPython(charger, migrations.RunPython.noop)]
