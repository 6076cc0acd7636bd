"""Lettres de mission de démonstration, menées par les services de l'application.

- Lycée B : la lettre de l'année de Samir Haddad, signée par lui et par le chef, scellée ; celle de
  l'an dernier du collège A (Julie Garnier et Samir Haddad), scellée aussi. Le chef du collège A peut
  rédiger celle de cette année.
- Dans les autres établissements de démonstration qui ont des désignations acceptées cette année :
  des lettres dans chaque état (brouillon, relecture, à signer, scellée), pour les listes de la DANE.

Le sceau est celui du certificat de démonstration (auto-signé), créé s'il manque. Un établissement
qui a déjà sa lettre de l'année n'en reçoit pas d'autre : relancer ne crée rien de plus.
"""

import io
from pathlib import Path

from django.conf import settings
from django.core.management import call_command

from lettres import services, signatures
from lettres.document import empreinte_contenu
from lettres.models import LettreMission, Signature
from lettres.sceau import SceauIndisponible
from missions.models import Designation
from rupn.comptes.models import Role, Utilisateur
from rupn.courriels import url_du_site
from rupn.territoires.models import AnneeScolaire

# L'état où mener les lettres des autres établissements, à tour de rôle.
SUCCESSION_DES_ETATS = [
    LettreMission.Statut.SCELLEE,
    LettreMission.Statut.RELECTURE,
    LettreMission.Statut.BROUILLON,
    LettreMission.Statut.SIGNATURE,
    LettreMission.Statut.SCELLEE,
]
NOMBRE_AUTRES_LETTRES = 10


def preparer_sceau(sortie):
    """Crée le certificat de démonstration à l'emplacement configuré, s'il n'existe pas encore."""
    if not settings.RUPN_SCEAU_PKCS12 or not settings.RUPN_SCEAU_MOT_DE_PASSE:
        raise SceauIndisponible(
            "La démonstration scelle des lettres de mission : définissez RUPN_SCEAU_PKCS12 (où créer le certificat "
            "de démonstration) et RUPN_SCEAU_MOT_DE_PASSE, ou lancez-la avec les réglages de développement."
        )
    chemin = Path(settings.RUPN_SCEAU_PKCS12)
    if chemin.exists():
        return
    chemin.parent.mkdir(parents=True, exist_ok=True)
    call_command(
        "creer_certificat_sceau",
        sortie=chemin,
        mot_de_passe=settings.RUPN_SCEAU_MOT_DE_PASSE,
        nom="Académie de Toulouse (démonstration)",
        stdout=io.StringIO(),
    )
    sortie(f"Certificat de sceau de démonstration créé : {chemin}.")


def _en_role(utilisateur, etablissement, *types):
    """La personne agit dans son rôle de cet établissement (ce que fait le sélecteur de rôle des pages)."""
    utilisateur.role_actif = Role.objects.filter(
        utilisateur=utilisateur, etablissement=etablissement, type__in=types
    ).first()
    return utilisateur


def contenu_de_demonstration(lettre):
    """Deux missions retenues par axe (la première principale), un indicateur par axe, un suivi."""
    contenu = lettre.contenu
    for axe in contenu["axes"]:
        for rang, mission in enumerate(axe["missions"][:2]):
            mission["retenue"] = True
            mission["principale"] = rang == 0
        axe["indicateurs"] = [f"Bilan de l'axe {axe['code']} présenté au conseil pédagogique"]
    contenu["suivi"] = "Un point d'étape en février avec le chef d'établissement, un bilan en juin."
    return contenu


def mener(etablissement, annee, designations, chef, etat):
    """Crée la lettre de l'établissement et la mène jusqu'à `etat` par les services."""
    chef = _en_role(chef, etablissement, *Role.TYPES_DIRECTION)
    lettre = services.lettre_creer(etablissement=etablissement, annee=annee, designations=designations, par=chef)
    lettre = services.lettre_modifier(
        lettre=lettre,
        contenu=contenu_de_demonstration(lettre),
        revision=lettre.revision,
        par=chef,
        url_absolue=url_du_site,
    ).lettre
    if etat == LettreMission.Statut.BROUILLON:
        return lettre
    lettre, _ = services.lettre_envoyer(lettre=lettre, revision=lettre.revision, par=chef, url_absolue=url_du_site)
    if etat == LettreMission.Statut.RELECTURE:
        return lettre
    personnes = [_en_role(d.agent, etablissement, Role.Type.RUPN) for d in designations]
    for personne in personnes:
        lettre, _ = services.lettre_approuver(
            lettre=lettre, revision=lettre.revision, par=personne, url_absolue=url_du_site
        )
    if etat == LettreMission.Statut.SIGNATURE:
        return lettre
    for signataire in [*personnes, chef]:
        lettre = signatures.lettre_signer(
            lettre=lettre,
            empreinte=empreinte_contenu(signatures.charger_lettre(lettre)),
            par=signataire,
            methode=Signature.Methode.MOT_DE_PASSE,
            adresse_ip="127.0.0.1",
            agent_utilisateur="Données de démonstration",
            url_absolue=url_du_site,
        )
    return lettre


def _acceptees(etablissement, annee):
    return list(
        Designation.objects.filter(
            etablissement=etablissement,
            annee=annee,
            statut__in=[Designation.Statut.ACCEPTEE, Designation.Statut.VALIDEE],
        )
        .select_related("agent")
        .order_by("debut", "pk")
    )


def charger(sortie, *, academie, etablissements, directions):
    """`etablissements` : ceux des personas (A, B) ; `directions` : {clé : adresse du chef}."""
    preparer_sceau(sortie)
    courante = AnneeScolaire.objects.courante()
    precedente = AnneeScolaire.objects.filter(fin__lt=courante.debut).order_by("-debut").first()
    a_mener = [
        (etablissements["B"], courante, Utilisateur.objects.get(email=directions["B"]), LettreMission.Statut.SCELLEE),
        (etablissements["A"], precedente, Utilisateur.objects.get(email=directions["A"]), LettreMission.Statut.SCELLEE),
    ]
    autres = (
        Designation.objects.filter(etablissement__academie=academie, annee=courante, statut=Designation.Statut.VALIDEE)
        .exclude(etablissement__in=etablissements.values())
        .values_list("etablissement", flat=True)
        .distinct()
        .order_by("etablissement__uai")[:NOMBRE_AUTRES_LETTRES]
    )
    for rang, etablissement_id in enumerate(autres):
        chef_role = Role.objects.filter(etablissement_id=etablissement_id, type=Role.Type.CHEF).first()
        etat = SUCCESSION_DES_ETATS[rang % len(SUCCESSION_DES_ETATS)]
        a_mener.append((chef_role.etablissement, courante, chef_role.utilisateur, etat))

    crees = {}
    for etablissement, annee, chef, etat in a_mener:
        if LettreMission.objects.filter(etablissement=etablissement, annee=annee).exists():
            continue
        if designations := _acceptees(etablissement, annee):
            mener(etablissement, annee, designations, chef, etat)
            crees[etat] = crees.get(etat, 0) + 1
    if crees:
        detail = ", ".join(f"{nombre} {LettreMission.Statut(etat).label.lower()}" for etat, nombre in crees.items())
        sortie(f"Lettres de mission : {sum(crees.values())} créées ({detail}).")
