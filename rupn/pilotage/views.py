"""Tableaux de bord : académie (DANE, correspondant sur ses départements, national en lecture sur toute
académie), comparaison des académies (national), évolution sur les années, listes d'établissements derrière
chaque chiffre avec leurs relances, page d'un établissement."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from enquetes.construction import non_repondants, participations_relancer
from enquetes.models import Enquete, Participation
from lettres.models import LettreMission
from missions import services as services_missions
from missions.models import Designation, RelanceCouverture
from missions.views.communs import annee_demandee, annees_proposees, en_nombre, url_avec, uuids
from rupn.comptes.acces import role_requis
from rupn.comptes.models import Role
from rupn.exports import FORMATS_EXPORT, reponse_export
from rupn.pilotage import indicateurs
from rupn.pilotage.forms import PilotageFiltreForm
from rupn.pilotage.indicateurs import LISTES, STATUTS_EN_POSTE, STATUTS_LETTRE, VENTILATIONS, pourcentage
from rupn.pilotage.models import RelanceDirection
from rupn.pilotage.services import direction_relancer
from rupn.pilotage.tableaux import Colonne, Tableau, texte
from rupn.territoires.models import Etablissement

PAR_PAGE = 50
ANNEES_DE_LA_FICHE = 5

COLONNES_CHIFFRES = [
    Colonne("etablissements", "Établissements", liste="tous"),
    Colonne("avec_rupn", "Avec un RUPN", liste="avec_rupn"),
    Colonne("taux_couverture", "Couverture", "pourcentage"),
    Colonne("sans_rupn", "Sans RUPN", liste="sans_rupn"),
    Colonne("rupn_en_poste", "RUPN en poste"),
    Colonne("imp_engagee", "IMP engagée", "euros"),
    Colonne("enveloppes", "Enveloppes d'IMP", "euros"),
    *(Colonne(f"lettres_{statut}", f"Lettres : {statut.label.lower()}") for statut in STATUTS_LETTRE),
    Colonne("sans_lettre_scellee", "Sans lettre scellée", liste="sans_lettre_scellee"),
    Colonne("participations_dues", "Comptes-rendus dus"),
    Colonne("taux_reponse", "Taux de réponse", "pourcentage"),
    Colonne("compte_rendu_attendu", "Compte-rendu attendu", liste="compte_rendu_attendu"),
    Colonne("taux_lecture", "Comptes-rendus lus par la direction", "pourcentage"),
    Colonne("compte_rendu_non_lu", "Compte-rendu à lire", liste="compte_rendu_non_lu"),
    Colonne("grille_remplie", "Grille de maturité remplie", liste="grille_remplie"),
    Colonne("grille_non_remplie", "Grille non remplie", liste="grille_non_remplie"),
]

TABLEAUX_DU_TABLEAU_DE_BORD = ("ventilation", "lettres", "maturite")


def _adresse_export(perimetre, nom, format, **parametres):
    return f"{reverse('pilotage:export', args=[nom, format])}?{urlencode(perimetre.parametres(**parametres))}"


class Perimetre:
    """Les établissements ouverts que la page montre : périmètre du rôle actif et filtres de l'adresse."""

    def __init__(self, request):
        self.role = request.user.role_actif
        self.annees = list(annees_proposees())
        self.annee = annee_demandee(request, self.annees)
        visibles = Etablissement.objects.visible_to(request.user).ouverts()
        donnees = request.POST if request.method == "POST" else request.GET
        self.form = PilotageFiltreForm(donnees or None, etablissements=visibles, national=self.role.est_national)
        self.etablissements = self.form.filtrer(visibles)
        self.filtres = self.form.filtres()

    def parametres(self, **autres):
        """Année, filtres et `autres` : ce qu'un lien ou un export reprend de la page."""
        return {"annee": self.annee.code, **self.filtres, **autres}

    @property
    def donnees(self):
        return self.form.cleaned_data if self.form.is_valid() else {}

    @property
    def libelle_du_role(self):
        return self.role.perimetre if not self.role.est_national else "Toutes les académies"

    @property
    def libelle(self):
        """Ce que les chiffres couvrent : le périmètre du rôle précisé par les filtres (« Académie de Toulouse —
        Haute-Garonne (031) — Collège »)."""
        donnees = self.donnees
        parties = [str(donnees["academie"]) if donnees.get("academie") else self.libelle_du_role]
        parties += [str(donnees[nom]) for nom in ("departement", "bassin") if donnees.get(nom)]
        parties += [
            dict(self.form.fields[nom].choices)[donnees[nom]] for nom in ("type", "secteur") if donnees.get(nom)
        ]
        return " — ".join(parties)

    @property
    def peut_relancer(self):
        return self.role.type == Role.Type.DANE


# Tableau de bord


def _ventilation_demandee(request, perimetre):
    """`par` si la page le propose, sinon la descente naturelle : académies, départements, bassins, types."""
    proposees = _ventilations_proposees(perimetre)
    if request.GET.get("par") in proposees:
        return request.GET["par"]
    filtres = perimetre.filtres
    if perimetre.role.est_national and "academie" not in filtres:
        return "academie"
    if "bassin" in filtres:
        return "type"
    return "bassin" if "departement" in filtres else "departement"


def _ventilations_proposees(perimetre):
    return [nom for nom in VENTILATIONS if nom != "academie" or perimetre.role.est_national]


def _lien_de_groupe(perimetre, par, groupe):
    """La ligne d'un groupe ouvre le niveau du dessous : tableau de bord filtré sur le groupe, ou liste des
    établissements d'un bassin."""
    if par == "bassin":
        return url_avec("pilotage:etablissements", **perimetre.parametres(liste="tous", **groupe))
    return url_avec("pilotage:tableau_de_bord", **perimetre.parametres(**groupe))


def tableau_ventilation(request, perimetre):
    """Les chiffres par groupe ; chaque filtre d'adresse porte le nom de la ventilation (academie,
    departement, bassin, type, secteur) et reçoit la clé du groupe."""
    par = _ventilation_demandee(request, perimetre)
    ventilation = VENTILATIONS[par]
    # Le national compare toutes les académies, même celles dont l'annuaire n'est pas encore importé.
    attendus = (
        [(academie.code, academie.nom) for academie in perimetre.form.fields["academie"].objets]
        if par == "academie"
        else ()
    )
    lignes, total = indicateurs.chiffres_par_groupe(perimetre.etablissements, perimetre.annee, ventilation, attendus)

    def lien(ligne, colonne):
        if ligne is not total and ligne.cle is None:  # « Sans bassin » : aucun filtre ne désigne ce groupe
            return None
        groupe = {} if ligne is total else {par: ligne.cle}
        if colonne.cle == "libelle":
            return None if ligne is total else _lien_de_groupe(perimetre, par, groupe)
        if colonne.liste and getattr(ligne, colonne.cle):
            return url_avec("pilotage:etablissements", **perimetre.parametres(liste=colonne.liste, **groupe))
        return None

    tableau = Tableau(
        titre=f"Indicateurs par {ventilation.titre.lower()}, {perimetre.annee}",
        colonnes=[Colonne("libelle", ventilation.titre, "texte"), *COLONNES_CHIFFRES],
        lignes=lignes,
        total=total,
        lien=lien,
        tri=request.GET.get("tri", ""),
        decroissant=request.GET.get("ordre") == "desc",
    )
    return par, tableau


class _Etat:
    def __init__(self, libelle, nombre):
        self.libelle, self.nombre = libelle, nombre


def tableau_lettres(perimetre, total):
    lignes = [_Etat(statut.label, getattr(total, f"lettres_{statut}")) for statut in STATUTS_LETTRE]
    return Tableau(
        titre=f"Lettres de mission par état, {perimetre.annee}",
        colonnes=[Colonne("libelle", "État", "texte"), Colonne("nombre", "Lettres")],
        lignes=lignes,
    )


class _Domaine:
    def __init__(self, titre, niveaux):
        self.libelle = titre
        self.remplies = sum(niveaux)
        self.niveau_moyen = (
            round(sum(niveau * nombre for niveau, nombre in enumerate(niveaux)) / self.remplies, 2)
            if self.remplies
            else None
        )
        for niveau, nombre in enumerate(niveaux):
            setattr(self, f"niveau_{niveau}", nombre)
            setattr(self, f"part_{niveau}", pourcentage(nombre, self.remplies))


def tableau_maturite(perimetre):
    domaines = indicateurs.maturite_par_domaine(perimetre.etablissements, perimetre.annee)
    niveaux = ["Niveau 0 (en deçà des conditions minimales)", "Niveau 1", "Niveau 2", "Niveau 3"]
    return Tableau(
        titre=f"Niveau de maturité numérique atteint par domaine, {perimetre.annee}",
        colonnes=[
            Colonne("libelle", "Domaine", "texte"),
            Colonne("remplies", "Grilles remplies"),
            Colonne("niveau_moyen", "Niveau moyen (0 à 3)", "decimal"),
            *(Colonne(f"niveau_{n}", titre) for n, titre in enumerate(niveaux)),
            *(Colonne(f"part_{n}", f"Part au niveau {n}", "pourcentage") for n in range(4)),
        ],
        lignes=[_Domaine(titre, comptes) for _, titre, comptes in domaines],
    )


def _tableaux_du_tableau_de_bord(request, perimetre, noms=TABLEAUX_DU_TABLEAU_DE_BORD):
    """Les tableaux `noms` de la page, et la ventilation choisie ; les lettres se lisent sur le total de la
    ventilation, la maturité se calcule à part (son export ne calcule qu'elle)."""
    par, tableaux = None, {}
    if "ventilation" in noms or "lettres" in noms:
        par, tableaux["ventilation"] = tableau_ventilation(request, perimetre)
    if "lettres" in noms:
        tableaux["lettres"] = tableau_lettres(perimetre, tableaux["ventilation"].total)
    if "maturite" in noms:
        tableaux["maturite"] = tableau_maturite(perimetre)
    return par, tableaux


def _tuiles(perimetre, total):
    """Les indicateurs du périmètre en tête de page ; un chiffre qui compte des établissements ouvre leur liste."""

    def liste(nom):
        return url_avec("pilotage:etablissements", **perimetre.parametres(liste=nom))

    def sur(tout, format="nombre"):
        return f"sur {texte(tout, format)}"

    return [
        ("Établissements du périmètre", texte(total.etablissements, "nombre"), "ouverts", liste("tous")),
        (
            "Établissements avec un RUPN",
            texte(total.taux_couverture, "pourcentage"),
            f"{texte(total.avec_rupn, 'nombre')} {sur(total.etablissements)}",
            liste("avec_rupn"),
        ),
        ("Établissements sans RUPN", texte(total.sans_rupn, "nombre"), "à relancer", liste("sans_rupn")),
        ("RUPN en poste", texte(total.rupn_en_poste, "nombre"), "désignations acceptées ou validées", ""),
        (
            "IMP engagée",
            texte(total.imp_engagee, "euros"),
            f"{sur(total.enveloppes, 'euros')} d'enveloppes"
            + (f" ({texte(total.part_enveloppes, 'pourcentage')})" if total.part_enveloppes is not None else ""),
            "",
        ),
        (
            "Sans lettre de mission scellée",
            texte(total.sans_lettre_scellee, "nombre"),
            "établissements avec un RUPN en poste",
            liste("sans_lettre_scellee"),
        ),
        (
            "Taux de réponse à l'enquête",
            texte(total.taux_reponse, "pourcentage"),
            f"{en_nombre(total.comptes_rendus_envoyes, 'compte-rendu envoyé', 'comptes-rendus envoyés')} "
            f"{sur(total.participations_dues)}",
            liste("compte_rendu_attendu"),
        ),
        (
            "Comptes-rendus lus par la direction",
            texte(total.taux_lecture, "pourcentage"),
            f"{texte(total.comptes_rendus_lus, 'nombre')} {sur(total.comptes_rendus_envoyes)} envoyés",
            liste("compte_rendu_non_lu"),
        ),
        (
            "Grille de maturité remplie",
            texte(total.taux_grille, "pourcentage"),
            f"{texte(total.grille_remplie, 'nombre')} établissements",
            liste("grille_non_remplie"),
        ),
    ]


def _fil(perimetre):
    """Le chemin de la descente (périmètre du rôle › académie › département › bassin) : [(libellé, adresse)]."""
    parametres = {"annee": perimetre.annee.code}
    donnees = perimetre.donnees
    fil = [(perimetre.libelle_du_role, url_avec("pilotage:tableau_de_bord", **parametres))]
    for nom in ("academie", "departement", "bassin"):
        if donnees.get(nom):
            parametres[nom] = perimetre.filtres[nom]
            fil.append((str(donnees[nom]), url_avec("pilotage:tableau_de_bord", **parametres)))
    return fil


@role_requis(*Role.TYPES_ACADEMIQUES)
def tableau_de_bord(request):
    perimetre = Perimetre(request)
    par, tableaux = _tableaux_du_tableau_de_bord(request, perimetre)
    total = tableaux["ventilation"].total
    parametres_tri = urlencode(perimetre.parametres(par=par))
    # L'export suit le tri affiché.
    tri = {cle: request.GET[cle] for cle in ("tri", "ordre") if request.GET.get(cle)}
    return render(
        request,
        "pilotage/tableau_de_bord.html",
        {
            "perimetre": perimetre,
            "annee": perimetre.annee,
            "annees": perimetre.annees,
            "form": perimetre.form,
            "par": par,
            "ventilations": [(nom, VENTILATIONS[nom].titre) for nom in _ventilations_proposees(perimetre)],
            "tuiles": _tuiles(perimetre, total),
            "fil": _fil(perimetre),
            "tableaux": tableaux,
            "graphique_couverture": tableaux["ventilation"].graphique("taux_couverture", maximum=100),
            "graphique_lettres": tableaux["lettres"].graphique("nombre"),
            "graphique_maturite": tableaux["maturite"].graphique("niveau_moyen", maximum=3),
            "parametres_tri": parametres_tri,
            "exports": {
                nom: {format: _adresse_export(perimetre, nom, format, par=par, **tri) for format in FORMATS_EXPORT}
                for nom in TABLEAUX_DU_TABLEAU_DE_BORD
            },
            "url_evolution": url_avec("pilotage:evolution", **perimetre.parametres()),
        },
    )


# Évolution sur les années


COLONNES_EVOLUTION = [
    Colonne("annee", "Année scolaire", "texte", triable=False),
    Colonne("avec_rupn", "Établissements avec un RUPN", triable=False),
    Colonne("taux_couverture", "Couverture", "pourcentage", triable=False),
    Colonne("rupn_en_poste", "RUPN en poste", triable=False),
    Colonne("imp_engagee", "IMP engagée", "euros", triable=False),
    Colonne("lettres_scellees", "Lettres scellées", triable=False),
    Colonne("taux_reponse", "Taux de réponse à l'enquête", "pourcentage", triable=False),
]
SERIES = COLONNES_EVOLUTION[2:]


def tableau_evolution(perimetre):
    annees = [annee for annee in perimetre.annees if annee.debut <= perimetre.annee.debut][:ANNEES_DE_LA_FICHE][::-1]
    return Tableau(
        titre="Évolution sur les années scolaires",
        colonnes=COLONNES_EVOLUTION,
        lignes=indicateurs.series(perimetre.etablissements, annees),
    )


@role_requis(*Role.TYPES_ACADEMIQUES)
def evolution(request):
    perimetre = Perimetre(request)
    tableau = tableau_evolution(perimetre)
    return render(
        request,
        "pilotage/evolution.html",
        {
            "perimetre": perimetre,
            "form": perimetre.form,
            "tableau": tableau,
            "graphiques": [
                (
                    f"graphique-{colonne.cle}",
                    tableau.graphique(colonne.cle, maximum=100 if colonne.format == "pourcentage" else None),
                )
                for colonne in SERIES
            ],
            "exports": {format: _adresse_export(perimetre, "evolution", format) for format in FORMATS_EXPORT},
            "url_tableau_de_bord": url_avec("pilotage:tableau_de_bord", **perimetre.parametres()),
        },
    )


# Listes d'établissements et relances


def _liste_demandee(request):
    nom = request.GET.get("liste") or request.POST.get("liste") or "tous"
    if nom not in LISTES:
        raise Http404(f"Liste inconnue : « {nom} ».")
    return nom, LISTES[nom]


def _etablissements_de_la_liste(perimetre, liste):
    annee = perimetre.annee
    en_poste = (
        Designation.objects.filter(etablissement=OuterRef("pk"), annee=annee, statut__in=STATUTS_EN_POSTE)
        .order_by()
        .values("etablissement")
        .annotate(nombre=Count("pk"))
        .values("nombre")
    )
    lettre = LettreMission.objects.filter(etablissement=OuterRef("pk"), annee=annee).en_effet().order_by("-cree_le")
    relance = (
        RelanceCouverture.objects.filter(etablissement=OuterRef("pk"), annee=annee)
        if liste.relance == "couverture"
        else RelanceDirection.objects.filter(etablissement=OuterRef("pk"), annee=annee, motif=liste.relance)
    )
    return (
        liste.filtrer(perimetre.etablissements, annee)
        .annotate(
            rupn_en_poste=Subquery(en_poste, output_field=IntegerField()),
            lettre_statut=Subquery(lettre.values("statut")[:1]),
            derniere_relance=Subquery(relance.order_by("-le").values("le")[:1]),
        )
        .order_by("nom", "uai")
        .values(*CHAMPS_DE_LA_LISTE)
    )


# Les lignes de la liste sont lues en dictionnaires (.values()) : une page de 50 établissements, ou une liste
# entière exportée, sans construire d'objets du modèle.
CHAMPS_DE_LA_LISTE = (
    "uuid", "nom", "uai", "commune", "type", "secteur", "departement__code", "bassin__libelle",
    "rupn_en_poste", "lettre_statut", "derniere_relance",
)  # fmt: skip


class _LigneEtablissement:
    LETTRES = dict(LettreMission.Statut.choices)
    TYPES = dict(Etablissement.Type.choices)
    SECTEURS = dict(Etablissement.Secteur.choices)

    def __init__(self, valeurs):
        self.uuid = valeurs["uuid"]
        self.nom = valeurs["nom"]
        self.uai = valeurs["uai"]
        self.commune = valeurs["commune"]
        self.type = self.TYPES[valeurs["type"]]
        self.secteur = self.SECTEURS[valeurs["secteur"]]
        self.departement = valeurs["departement__code"]
        self.bassin = valeurs["bassin__libelle"] or ""
        self.rupn_en_poste = valeurs["rupn_en_poste"] or 0
        self.lettre = self.LETTRES.get(valeurs["lettre_statut"], "Aucune")
        relance = valeurs["derniere_relance"]
        self.derniere_relance = f"{timezone.localtime(relance):%d/%m/%Y}" if relance else "jamais"


def tableau_etablissements(perimetre, titre, etablissements):
    return Tableau(
        titre=titre,
        colonnes=[
            Colonne("nom", "Établissement", "texte", triable=False),
            Colonne("uai", "UAI", "texte", triable=False),
            Colonne("commune", "Commune", "texte", triable=False),
            Colonne("type", "Type", "texte", triable=False),
            Colonne("secteur", "Secteur", "texte", triable=False),
            Colonne("departement", "Département", "texte", triable=False),
            Colonne("bassin", "Bassin", "texte", triable=False),
            Colonne("rupn_en_poste", "RUPN en poste", triable=False),
            Colonne("lettre", "Lettre de mission", "texte", triable=False),
            Colonne("derniere_relance", "Dernière relance", "texte", triable=False),
        ],
        lignes=[_LigneEtablissement(etablissement) for etablissement in etablissements],
        lien=lambda ligne, colonne: reverse("pilotage:fiche", args=[ligne.uuid]) if colonne.cle == "nom" else None,
    )


@role_requis(*Role.TYPES_ACADEMIQUES)
def etablissements(request):
    perimetre = Perimetre(request)
    nom, liste = _liste_demandee(request)
    page = Paginator(_etablissements_de_la_liste(perimetre, liste), PAR_PAGE).get_page(request.GET.get("page"))
    titre = f"{liste.titre}, {perimetre.annee}"
    return render(
        request,
        "pilotage/etablissements.html",
        {
            "perimetre": perimetre,
            "form": perimetre.form,
            "nom_liste": nom,
            "liste": liste,
            "page": page,
            "tableau": tableau_etablissements(perimetre, titre, page),
            "parametres": urlencode(perimetre.parametres(liste=nom)),
            "filtres": perimetre.parametres(liste=nom),
            "peut_relancer": perimetre.peut_relancer and liste.relance is not None,
            "exports": {
                format: _adresse_export(perimetre, "etablissements", format, liste=nom) for format in FORMATS_EXPORT
            },
            "url_tableau_de_bord": url_avec("pilotage:tableau_de_bord", **perimetre.parametres()),
        },
    )


def _relancer(request, perimetre, liste, cibles):
    """Envoie la relance qui convient à la liste ; rend (nombre de relances envoyées, message de bilan)."""
    annee, url_absolue = perimetre.annee, request.build_absolute_uri
    if liste.relance == "rupn":
        participations = non_repondants(
            Participation.objects.filter(enquete__annee=annee, designation__etablissement__in=cibles)
        )
        relancees = 0
        for enquete in Enquete.objects.filter(pk__in=participations.values("enquete")):
            envois = participations_relancer(
                enquete=enquete, participations=participations.filter(enquete=enquete), url_absolue=url_absolue
            )
            relancees += len(envois.relancees)
        return relancees, f"{en_nombre(relancees, 'RUPN relancé', 'RUPN relancés')}."
    if liste.relance == "couverture":
        relances, sans_direction = services_missions.couverture_relancer(
            etablissements=cibles, annee=annee, par=request.user, url_absolue=url_absolue
        )
    else:
        relances, sans_direction = direction_relancer(
            etablissements=cibles, annee=annee, motif=liste.relance, par=request.user, url_absolue=url_absolue
        )
    bilan = [f"{en_nombre(relances, 'direction relancée', 'directions relancées')}."]
    if deja := len(cibles) - relances - sans_direction:
        bilan.append(f"{en_nombre(deja, 'déjà relancée', 'déjà relancées')} récemment : pas de nouveau courriel.")
    if sans_direction:
        bilan.append(
            f"{sans_direction} sans direction connue ni adresse électronique : invitez le chef d'établissement "
            "ou complétez l'annuaire."
        )
    return relances, " ".join(bilan)


@require_POST
@role_requis(Role.Type.DANE)
def relancer(request):
    perimetre = Perimetre(request)
    nom, liste = _liste_demandee(request)
    retour = url_avec("pilotage:etablissements", **perimetre.parametres(liste=nom))
    if liste.relance is None:
        messages.error(request, "Cette liste n'appelle pas de relance.")
        return redirect(retour)
    if not perimetre.form.is_valid():
        messages.error(request, "Ces filtres ne correspondent pas à votre académie : aucun courriel n'est parti.")
        return redirect(retour)
    cibles = liste.filtrer(perimetre.etablissements, perimetre.annee).select_related("academie")
    if request.POST.get("action") != "tous":
        demandes = uuids(request.POST.getlist("etablissements"))
        if not demandes:
            messages.warning(request, "Cochez au moins un établissement à relancer, ou relancez toute la liste.")
            return redirect(retour)
        # Un établissement sorti de la liste entre-temps, ou hors du périmètre, est ignoré.
        cibles = cibles.filter(uuid__in=demandes)
    try:
        nombre, bilan = _relancer(request, perimetre, liste, list(cibles.order_by("nom", "uai")))
    except ValidationError as erreur:
        messages.error(request, " ".join(erreur.messages))
        return redirect(retour)
    (messages.success if nombre else messages.warning)(request, bilan)
    return redirect(retour)


# Exports


@role_requis(*Role.TYPES_ACADEMIQUES)
def export(request, nom, format):
    """Le tableau `nom`, tel que sa page le montre (mêmes paramètres d'adresse), en CSV ou XLSX."""
    if format not in FORMATS_EXPORT:
        raise Http404(f"Format d'export inconnu : « {format} ».")
    perimetre = Perimetre(request)
    if nom in TABLEAUX_DU_TABLEAU_DE_BORD:
        tableau = _tableaux_du_tableau_de_bord(request, perimetre, noms=(nom,))[1][nom]
    elif nom == "evolution":
        tableau = tableau_evolution(perimetre)
    elif nom == "etablissements":
        nom_liste, liste = _liste_demandee(request)
        tableau = tableau_etablissements(
            perimetre,
            f"{liste.titre}, {perimetre.annee}",
            _etablissements_de_la_liste(perimetre, liste).iterator(chunk_size=2000),
        )
        nom = f"etablissements-{nom_liste}"
    else:
        raise Http404(f"Tableau inconnu : « {nom} ».")
    return reponse_export(tableau.dataset(), format, f"pilotage-{nom}-{perimetre.annee.code}", tableau.titre)


# Page d'un établissement


@role_requis(*Role.TYPES_DIRECTION, *Role.TYPES_ACADEMIQUES)
def fiche(request, uuid):
    """La page d'un établissement du périmètre : ses RUPN, l'état de sa lettre et du compte-rendu, sa maturité
    sur les années."""
    return _fiche(request, get_object_or_404(_etablissements_des_fiches(request), uuid=uuid))


@role_requis(*Role.TYPES_DIRECTION)
def mon_etablissement(request):
    """La page de l'établissement de la direction (rôle actif)."""
    etablissement = get_object_or_404(_etablissements_des_fiches(request), pk=request.user.role_actif.etablissement_id)
    return _fiche(request, etablissement)


def _etablissements_des_fiches(request):
    return Etablissement.objects.visible_to(request.user).select_related("academie", "departement", "bassin")


def _fiche(request, etablissement):
    # Les dernières années jusqu'à celle en cours (une année à venir, déjà créée, n'a encore rien à montrer).
    annees = list(annees_proposees().filter(debut__lte=timezone.localdate())[:ANNEES_DE_LA_FICHE])
    designations = (
        Designation.objects.filter(etablissement=etablissement, annee__in=annees)
        .select_related("agent", "taux", "annee")
        .order_by("-annee__debut", "debut", "agent__last_name")
    )
    lettres = (
        LettreMission.objects.filter(etablissement=etablissement, annee__in=annees)
        .en_effet()
        .select_related("annee")
        .order_by("-annee__debut", "-cree_le")
    )
    participations = Participation.objects.filter(
        designation__etablissement=etablissement, enquete__annee__in=annees
    ).select_related("designation__agent", "enquete__annee")
    par_annee = {
        annee.pk: {"annee": annee, "designations": [], "lettres": [], "participations": []} for annee in annees
    }
    for designation in designations:
        par_annee[designation.annee_id]["designations"].append(designation)
    for lettre in lettres:
        par_annee[lettre.annee_id]["lettres"].append(lettre)
    for participation in participations:
        par_annee[participation.enquete.annee_id]["participations"].append(participation)
    return render(
        request,
        "pilotage/fiche.html",
        {
            "etablissement": etablissement,
            "annees": list(par_annee.values()),
            "annees_maturite": annees[::-1],
            "maturite": indicateurs.maturite_sur_les_annees(etablissement, annees[::-1]),
            "voit_la_grille": request.user.role_actif.est_direction,
        },
    )
