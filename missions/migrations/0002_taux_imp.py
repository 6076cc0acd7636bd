"""Les taux annuels de l'IMP (arrêté du 27 avril 2015, non revalorisés depuis), autorisés
par défaut dans toutes les académies ; chaque DANE restreint ensuite sa liste."""

import datetime
from decimal import Decimal

from django.db import migrations

TEXTE = "Arrêté du 27 avril 2015 fixant les taux de l'indemnité pour mission particulière"
MONTANTS = ["312.50", "625", "1250", "2500", "3750"]


def charger(apps, schema_editor):
    TauxIMP = apps.get_model("missions", "TauxIMP")
    Academie = apps.get_model("territoires", "Academie")
    academies = list(Academie.objects.all())
    for montant in MONTANTS:
        taux, _ = TauxIMP.objects.get_or_create(
            montant=Decimal(montant), valable_du=datetime.date(2015, 9, 1), defaults={"texte": TEXTE}
        )
        taux.academies.add(*academies)


class Migration(migrations.Migration):
    dependencies = [
        ("missions", "0001_initial"),
        ("territoires", "0002_referentiel"),
    ]

    operations = [migrations.RunPython(charger, migrations.RunPython.noop)]
