"""Exports des désignations (django-import-export) : une ligne par désignation, ou l'échéancier
de paiement des IMP (une ligne par versement, pour la paie). Les pages et la commande
`exporter_designations` passent toutes deux par `exporter`."""

from dataclasses import dataclass

from import_export import fields, resources, widgets

from missions.echeancier import Ligne, lignes_de_paiement
from missions.models import Designation
from rupn.exports import ExportSansFormuleMixin

CONTENUS_EXPORT = ("designations", "echeancier")
TITRES_EXPORT = {"designations": "Désignations", "echeancier": "Échéancier des IMP"}
# Seules les désignations validées par la DANE (ou terminées après l'avoir été) se paient.
# Nombres et dates gardent leur type : cellules numériques dans le classeur ; en CSV « 1250,00 » et 2025-09-01.
_MONTANT = widgets.DecimalWidget(coerce_to_string=False)
_DATE = widgets.DateWidget(coerce_to_string=False)


class DesignationExportResource(ExportSansFormuleMixin, resources.ModelResource):
    """Une ligne par désignation, colonnes en français. L'adresse électronique est le seul identifiant de la
    personne que l'application connaisse : elle distingue deux homonymes."""

    uai = fields.Field(attribute="etablissement__uai", column_name="UAI")
    etablissement = fields.Field(attribute="etablissement__nom", column_name="Établissement")
    departement = fields.Field(attribute="etablissement__departement__code", column_name="Département")
    bassin = fields.Field(attribute="etablissement__libelle_bassin", column_name="Bassin de formation")
    type = fields.Field(attribute="etablissement__get_type_display", column_name="Type")
    secteur = fields.Field(attribute="etablissement__get_secteur_display", column_name="Secteur")
    nom = fields.Field(attribute="agent__last_name", column_name="Nom")
    prenom = fields.Field(attribute="agent__first_name", column_name="Prénom")
    email = fields.Field(attribute="agent__email", column_name="Adresse électronique")
    reconnaissance = fields.Field(column_name="Reconnaissance")
    taux = fields.Field(attribute="taux__montant", column_name="Taux annuel (€)", widget=_MONTANT)
    heures_allegement = fields.Field(
        attribute="heures_allegement", column_name="Allègement (heures par semaine)", widget=_MONTANT
    )
    montant = fields.Field(attribute="montant", column_name="Montant dû (€)", widget=_MONTANT)
    nb_mois = fields.Field(
        attribute="nb_mois", column_name="Mois de mission", widget=widgets.IntegerWidget(coerce_to_string=False)
    )
    debut = fields.Field(attribute="debut", column_name="Début", widget=_DATE)
    fin = fields.Field(attribute="fin", column_name="Fin", widget=_DATE)
    statut = fields.Field(attribute="get_statut_display", column_name="État")
    remplace = fields.Field(column_name="Remplace")

    class Meta:
        model = Designation
        fields = (
            "uai",
            "etablissement",
            "departement",
            "bassin",
            "type",
            "secteur",
            "nom",
            "prenom",
            "email",
            "reconnaissance",
            "taux",
            "heures_allegement",
            "montant",
            "nb_mois",
            "debut",
            "fin",
            "statut",
            "remplace",
        )

    def dehydrate_reconnaissance(self, designation):
        return "IMP" if designation.taux_id else "allègement de service"

    def dehydrate_montant(self, designation):
        # Une désignation refusée ou annulée ne doit rien.
        return designation.montant if designation.engagee else None

    def dehydrate_remplace(self, designation):
        return str(designation.remplace.agent) if designation.remplace_id else ""


@dataclass(frozen=True)
class Versement:
    designation: Designation
    ligne: Ligne


class EcheancierExportResource(ExportSansFormuleMixin, resources.Resource):
    """Une ligne par versement d'IMP (voir missions/echeancier.py)."""

    uai = fields.Field(attribute="designation__etablissement__uai", column_name="UAI")
    etablissement = fields.Field(attribute="designation__etablissement__nom", column_name="Établissement")
    nom = fields.Field(attribute="designation__agent__last_name", column_name="Nom")
    prenom = fields.Field(attribute="designation__agent__first_name", column_name="Prénom")
    email = fields.Field(attribute="designation__agent__email", column_name="Adresse électronique")
    mois = fields.Field(column_name="Mois de paiement")
    montant = fields.Field(attribute="ligne__montant", column_name="Montant (€)", widget=_MONTANT)
    statut = fields.Field(attribute="designation__get_statut_display", column_name="État")

    class Meta:
        fields = ("uai", "etablissement", "nom", "prenom", "email", "mois", "montant", "statut")

    def dehydrate_mois(self, versement):
        return f"{versement.ligne.mois:%Y-%m}"


def versements(designations):
    """Les versements des IMP validées ou terminées parmi `designations` : le montant dû et le premier mois
    de paiement enregistrés sur chaque désignation (un taux ou un réglage de l'académie modifié depuis n'y
    change rien), comme sur la page de la désignation."""
    for designation in designations.payees().filter(taux__isnull=False):
        for ligne in lignes_de_paiement(
            montant_du=designation.montant,
            debut_annee=designation.annee.debut,
            debut=designation.debut,
            fin=designation.fin,
            premier_mois_paiement=designation.premier_mois_paiement,
        ):
            yield Versement(designation, ligne)


def exporter(designations, contenu):
    """Le tableau (tablib.Dataset) de l'export `contenu` (« designations » ou « echeancier »)."""
    designations = designations.avec_donnees_liste()
    if contenu == "designations":
        return DesignationExportResource().export(designations)
    if contenu == "echeancier":
        return EcheancierExportResource().export(versements(designations))
    raise ValueError(f"Export inconnu : « {contenu} » ({' ou '.join(CONTENUS_EXPORT)}).")
