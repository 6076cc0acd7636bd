"""Journal d'activités de démonstration : des entrées variées pour chaque mission acceptée des personas
RUPN (Julie Garnier au collège A l'an dernier ; Samir Haddad au collège A et au lycée B l'an dernier, au
lycée B cette année), saisies par les services de missions/journal.py comme depuis la page.

Les dates suivent la rentrée de chaque année ; cette année, aucune ne dépasse aujourd'hui (elles se
resserrent alors sur le jour même). Une mission qui a déjà des entrées n'en reçoit pas d'autres : relancer
ne crée rien de plus.
"""

import datetime
from decimal import Decimal

from django.utils import timezone

from missions.journal import activite_creer, missions_du_journal
from missions.models import Activite
from rupn.comptes.models import Utilisateur

C = Activite.Categorie

PERSONAS_RUPN = ["rupn@demo.rupn.example", "rupn.deux@demo.rupn.example"]

# (jours après la rentrée, catégorie, axe, personnes touchées, durée en heures, description)
ENTREES = [
    (3, C.COMMISSION, 1, 9, "2", "Commission numérique de rentrée : état des équipements, priorités de l'année."),
    (8, C.ENT, 4, 28, "3", "Espaces de classe créés dans l'ENT, nouveaux élèves rattachés à leurs groupes."),
    (15, C.ACCOMPAGNEMENT, 2, 3, "1.5", "Accueil des enseignants nouvellement nommés : l'ENT, les salles équipées."),
    (29, C.EQUIPEMENTS, 3, None, "0.5", "Panne du vidéoprojecteur de la salle 12 signalée par l'outil de tickets."),
    (43, C.FORMATION, 2, 11, "2", "Atelier entre pairs : manuels numériques et ressources attribuées par le GAR."),
    (58, C.VEILLE, 1, None, "1", "Lettre d'information de la DANE lue ; offres utiles relayées à la direction."),
    (74, C.PROJET, 2, 2, "2.5", "Projet de webradio accompagné avec les professeurs de lettres et de musique."),
    (100, C.ACCOMPAGNEMENT, 2, 1, "0.75", "Aide individuelle à une collègue pour ses évaluations en ligne."),
    (128, C.FORMATION, 2, 14, "1.5", "Sensibilisation aux usages responsables de l'intelligence artificielle."),
    (170, C.AUTRE, None, None, "1", "Rencontre des RUPN du bassin."),
]  # fmt: skip


def charger(sortie):
    aujourd_hui = timezone.localdate()
    creees, deja = 0, 0
    for email in PERSONAS_RUPN:
        agent = Utilisateur.objects.get(email=email)
        for designation in missions_du_journal(agent, aujourd_hui):
            if designation.activites.exists():
                deja += 1
                continue
            for jours, categorie, axe, personnes, duree, description in ENTREES:
                activite_creer(
                    par=agent,
                    designation=designation,
                    date=min(designation.annee.debut + datetime.timedelta(days=jours), aujourd_hui),
                    categorie=categorie,
                    axe=axe,
                    personnes_touchees=personnes,
                    duree=Decimal(duree),
                    description=description,
                )
                creees += 1
    sortie(f"Journal d'activités des personas RUPN : {creees} entrées créées, {deja} missions déjà renseignées.")
