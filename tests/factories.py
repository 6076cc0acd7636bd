"""Fabriques factory_boy partagées par les tests de toutes les applications."""

import factory
from allauth.account.models import EmailAddress

from lettres.models import ModeleLettre
from lettres.services import contenu_depuis_modele
from missions.echeancier import mois_de_mission, montant_du
from rupn.comptes.models import Role, Utilisateur
from rupn.territoires.models import Academie, Departement, Etablissement
from rupn.territoires.validators import lettre_cle_uai


def uai_valide(numero: int) -> str:
    sept_chiffres = f"{numero:07d}"
    return sept_chiffres + lettre_cle_uai(sept_chiffres)


class EtablissementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Etablissement

    uai = factory.Sequence(lambda n: uai_valide(310000 + n))
    nom = factory.Sequence(lambda n: f"Collège Numéro {n}")
    type = Etablissement.Type.COLLEGE
    secteur = Etablissement.Secteur.PUBLIC
    departement = factory.LazyFunction(lambda: Departement.objects.get(code="031"))
    academie = factory.SelfAttribute("departement.academie")
    commune = "Toulouse"

    class Params:
        prive = factory.Trait(secteur=Etablissement.Secteur.PRIVE)
        lycee = factory.Trait(type=Etablissement.Type.LYCEE, nom=factory.Sequence(lambda n: f"Lycée Numéro {n}"))
        ferme = factory.Trait(ouvert=False)


class UtilisateurFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Utilisateur
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"personne{n}@rupn.example")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    password = factory.django.Password("mot-de-passe-de-test")

    @factory.post_generation
    def adresse_verifiee(utilisateur, create, extracted, **kwargs):
        if create:
            EmailAddress.objects.create(user=utilisateur, email=utilisateur.email, verified=True, primary=True)


class RoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Role
        skip_postgeneration_save = True

    utilisateur = factory.SubFactory(UtilisateurFactory)
    type = Role.Type.CHEF
    etablissement = factory.SubFactory(EtablissementFactory)
    academie = factory.LazyAttribute(lambda role: role.etablissement.academie if role.etablissement else None)

    @factory.post_generation
    def departements(role, create, extracted, **kwargs):
        if create and extracted:
            role.departements.set(extracted)


def activer_totp(utilisateur, secret="JBSWY3DPEHPK3PXP"):
    """Donne à la personne une application d'authentification (TOTP) de secret connu."""
    from allauth.mfa.totp.internal.auth import TOTP

    TOTP.activate(utilisateur, secret)
    return utilisateur


def academie(code):
    return Academie.objects.get(code=code)


def annee(code="2025-2026"):
    from rupn.territoires.models import AnneeScolaire

    return AnneeScolaire.pour_rentree(int(code[:4]))


def taux(montant):
    from missions.models import TauxIMP

    return TauxIMP.objects.get(montant=montant, valable_au__isnull=True)


class DesignationFactory(factory.django.DjangoModelFactory):
    """Une désignation proposée pour toute l'année 2025-2026, IMP de 1 250 € (mois et montant dû calculés
    comme à l'enregistrement)."""

    class Meta:
        model = "missions.Designation"

    etablissement = factory.SubFactory(EtablissementFactory)
    annee = factory.LazyFunction(annee)
    agent = factory.SubFactory(UtilisateurFactory)
    taux = factory.LazyFunction(lambda: taux(1250))
    debut = factory.SelfAttribute("annee.debut")
    fin = factory.SelfAttribute("annee.fin")
    nb_mois = factory.LazyAttribute(lambda d: len(mois_de_mission(d.annee.debut, d.debut, d.fin)))
    montant = factory.LazyAttribute(lambda d: montant_du(d.taux.montant if d.taux else None, d.nb_mois))
    premier_mois_paiement = factory.SelfAttribute("etablissement.academie.premier_mois_paiement")
    cree_par = factory.SubFactory(UtilisateurFactory)

    class Params:
        allegement = factory.Trait(taux=None, heures_allegement=2)
        acceptee = factory.Trait(statut="acceptee")
        validee = factory.Trait(statut="validee")
        refusee = factory.Trait(statut="refusee", motif_refus="Pas disponible cette année.")


class LettreMissionFactory(factory.django.DjangoModelFactory):
    """Le brouillon de la lettre de mission d'une désignation acceptée, parti du modèle courant de l'académie
    (aucune mission encore retenue).

    `designations=[…]` : celles que la lettre couvre ; sans elles, une désignation acceptée de l'établissement
    et de l'année est créée (`designations__agent=…` pour choisir la personne)."""

    class Meta:
        model = "lettres.LettreMission"
        skip_postgeneration_save = True

    etablissement = factory.SubFactory(EtablissementFactory)
    annee = factory.LazyFunction(annee)
    modele = factory.LazyAttribute(lambda lettre: ModeleLettre.objects.courant(lettre.etablissement.academie))
    contenu = factory.LazyAttribute(lambda lettre: contenu_depuis_modele(lettre.modele.contenu))
    cree_par = factory.SubFactory(UtilisateurFactory)

    class Params:
        relecture = factory.Trait(statut="relecture")
        a_signer = factory.Trait(statut="signature")

    @factory.post_generation
    def designations(lettre, create, extracted, **kwargs):
        if not create:
            return
        if extracted is None:
            extracted = [
                DesignationFactory(etablissement=lettre.etablissement, annee=lettre.annee, acceptee=True, **kwargs)
            ]
        lettre.designations.set(extracted)
