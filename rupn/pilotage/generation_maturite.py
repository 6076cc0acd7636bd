"""Données synthétiques de la grille de maturité numérique : une étape de rupn/pilotage/generation.py.

Chaque année, environ 70 % des établissements synthétiques ouverts remplissent toute la grille en vigueur de
leur académie, par la voix de leur chef d'établissement. La progression est plausible : dans chaque domaine, un
établissement a un degré de maturité qui croît d'une année à l'autre, et chaque item un seuil fixe (les items de
niveau 2 au-dessus de ceux de niveau 1…) ; un item est réalisé quand le degré dépasse son seuil, en cours un
peu avant. Un item réalisé le reste donc les années suivantes, et les niveaux montent avec le temps.

Étape enregistrée dans `generation.ETAPES` (qui importe ce module à l'appel : il s'appuie sur celui-là).
Les positionnements (≈ 1,8 million à l'échelle 1) sont écrits par COPY sur PostgreSQL, par lots ailleurs ; les
niveaux (`NiveauDomaine`) sont calculés en mémoire avec la règle de rupn/maturite/services.py, sans relire les
positionnements. Effacement : positionnements et niveaux des établissements synthétiques (les grilles sont
celles des académies réelles, créées au besoin, jamais effacées)."""

import csv
import datetime
import io

from django.db import connection
from django.utils import timezone

from rupn.comptes.models import Role
from rupn.maturite.models import Grille, Item, NiveauDomaine, Positionnement
from rupn.maturite.services import GrilleLue
from rupn.pilotage.generation import _creer_par_lots, effacer_en_masse, etablissements_synthetiques
from rupn.territoires.models import Academie, AnneeScolaire

PART_REMPLIES = 0.7
"""Part des établissements ouverts qui remplissent la grille une année donnée."""
ECART_EN_COURS = 0.35
"""Un item est « en cours de réalisation » quand le degré de maturité est à moins de cet écart de son seuil."""
Statut = Positionnement.Statut


def effacer_maturite():
    etablissements = etablissements_synthetiques()
    return effacer_en_masse(NiveauDomaine.objects.filter(etablissement__in=etablissements)) + effacer_en_masse(
        Positionnement.objects.filter(etablissement__in=etablissements)
    )


def _inserer_positionnements(lignes):
    """Écrit les positionnements [(établissement, année, item, statut, modifié par, modifié le)] : COPY sur
    PostgreSQL, `bulk_create` ailleurs (où `auto_now` date alors les lignes du moment de la génération)."""
    if connection.vendor != "postgresql":
        _creer_par_lots(
            Positionnement,
            [
                Positionnement(etablissement_id=e, annee_id=a, item_id=i, statut=s, modifie_par_id=p, modifie_le=quand)
                for e, a, i, s, p, quand in lignes
            ],
        )
        return
    tampon = io.StringIO()
    ecrivain = csv.writer(tampon)
    for etablissement_id, annee_id, item_id, statut, par_id, quand in lignes:
        ecrivain.writerow((etablissement_id, annee_id, item_id, statut, par_id, quand.isoformat()))
    tampon.seek(0)
    with connection.cursor() as curseur:
        curseur.copy_expert(
            f"COPY {Positionnement._meta.db_table} (etablissement_id, annee_id, item_id, statut, modifie_par_id, "
            "modifie_le) FROM STDIN WITH (FORMAT csv)",
            tampon,
        )


def _statut(degre, seuil):
    if degre >= seuil:
        return Statut.REALISE.value
    return (Statut.EN_COURS if degre >= seuil - ECART_EN_COURS else Statut.NON_REALISE).value


def generer_maturite(contexte):
    aleatoire = contexte.aleatoire("maturité")
    annees = [AnneeScolaire.pour_rentree(rentree) for rentree in contexte.rentrees]
    chefs = dict(
        Role.objects.filter(type=Role.Type.CHEF, etablissement__in=etablissements_synthetiques())
        .order_by("pk")
        .values_list("etablissement_id", "utilisateur_id")
    )
    comptes = dict.fromkeys(["grilles remplies", "positionnements", "niveaux de domaine"], 0)
    for academie in Academie.objects.order_by("code"):
        etablissements = [
            pk
            for pk in etablissements_synthetiques()
            .filter(academie=academie, ouvert=True)
            .order_by("uai")
            .values_list("pk", flat=True)
            if pk in chefs
        ]
        if not etablissements:
            continue
        items = list(
            Item.objects.filter(domaine__grille=Grille.objects.courante(academie))
            .order_by("domaine__ordre", "niveau", "ordre")
            .values_list("pk", "domaine__code", "code", "niveau")
        )
        regle = GrilleLue()
        for _, domaine_code, item_code, niveau in items:
            regle.ajouter(domaine_code, item_code, niveau)
        domaines = list(dict.fromkeys(domaine_code for _, domaine_code, _, _ in items))
        lignes, niveaux = [], []
        for etablissement_id in etablissements:
            # Degré de maturité de départ et progression annuelle de chaque domaine ; seuil de chaque item.
            depart = {code: aleatoire.uniform(-0.4, 1.8) for code in domaines}
            pente = {code: aleatoire.uniform(0.05, 0.45) for code in domaines}
            seuils = {item_id: niveau - 1 + aleatoire.random() for item_id, _, _, niveau in items}
            for rang, annee in enumerate(annees):
                if aleatoire.random() >= PART_REMPLIES:
                    continue
                jour = min(annee.debut + datetime.timedelta(days=aleatoire.randint(30, 240)), contexte.jour)
                quand = timezone.make_aware(datetime.datetime.combine(jour, datetime.time(10)))
                statuts = {}
                for item_id, domaine_code, item_code, _ in items:
                    statut = _statut(depart[domaine_code] + rang * pente[domaine_code], seuils[item_id])
                    statuts[domaine_code, item_code] = statut
                    lignes.append((etablissement_id, annee.pk, item_id, statut, chefs[etablissement_id], quand))
                niveaux.extend(
                    NiveauDomaine(etablissement_id=etablissement_id, annee=annee, domaine_code=code, niveau=niveau)
                    for code, niveau in regle.niveaux_atteints(statuts).items()
                )
                comptes["grilles remplies"] += 1
        _inserer_positionnements(lignes)
        _creer_par_lots(NiveauDomaine, niveaux)
        comptes["positionnements"] += len(lignes)
        comptes["niveaux de domaine"] += len(niveaux)
        contexte.progression(f"maturité : académie {academie.code} {academie.nom}, {len(lignes)} positionnements")
    return comptes
