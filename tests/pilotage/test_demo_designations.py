"""La démonstration désigne des RUPN pour l'année en cours et la précédente, par les services
de missions/services.py (rupn/pilotage/demo/designations.py). Les effectifs attendus se
recomptent à la main depuis PROFILS et SUCCESSION_DES_PROFILS."""

import datetime
from collections import Counter
from decimal import Decimal
from io import StringIO
from types import SimpleNamespace

import pytest
from django.core import mail
from django.core.management import call_command
from django.db.models import Sum

from missions.echeancier import echeancier, mois_de_mission, montant_du
from missions.models import Designation, Enveloppe, TauxIMP
from missions.services import designations_a_renouveler
from rupn.comptes.models import Role, Utilisateur
from rupn.pilotage.demo import etablissements_demo
from rupn.territoires.models import AnneeScolaire, Etablissement

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sceau_de_demonstration")]

JULIE = "rupn@demo.rupn.example"
SAMIR = "rupn.deux@demo.rupn.example"
DANE = "dane@demo.rupn.example"
TAUX = {Decimal(montant) for montant in ("312.50", "625", "1250", "2500", "3750")}


@pytest.fixture
def demo():
    call_command("charger_demo", forcer=True, stdout=StringIO())
    courante = AnneeScolaire.objects.courante()
    etablissements = etablissements_demo()
    return SimpleNamespace(
        a=etablissements["A"],
        b=etablissements["B"],
        courante=courante,
        precedente=AnneeScolaire.objects.get(debut=courante.debut.replace(year=courante.debut.year - 1)),
        autres=Designation.objects.exclude(etablissement__in=etablissements.values()),
    )


def test_les_personas_sont_designes_l_an_dernier_et_samir_cette_annee_dans_le_lycee(demo):
    personas = Designation.objects.filter(agent__email__in=[JULIE, SAMIR]).select_related("agent", "taux")
    assert {(d.annee, d.etablissement, d.agent.email, d.statut, d.taux.montant, d.montant) for d in personas} == {
        (demo.precedente, demo.a, JULIE, "validee", Decimal("1250"), Decimal("1250")),
        (demo.precedente, demo.a, SAMIR, "validee", Decimal("625"), Decimal("625")),
        (demo.precedente, demo.b, SAMIR, "validee", Decimal("2500"), Decimal("2500")),
        (demo.courante, demo.b, SAMIR, "validee", Decimal("2500"), Decimal("2500")),
    }
    # Proposées par la direction de l'établissement, acceptées par la personne, validées par la DANE.
    directions = {demo.a: "chef@demo.rupn.example", demo.b: "chef.lycee@demo.rupn.example"}
    for designation in personas:
        assert [(t.de, t.vers, t.par.email) for t in designation.transitions.all()] == [
            ("", "proposee", directions[designation.etablissement]),
            ("proposee", "acceptee", designation.agent.email),
            ("acceptee", "validee", DANE),
        ]
    # Rien encore cette année dans le collège A : son chef peut renouveler les deux désignations.
    assert not Designation.objects.filter(etablissement=demo.a, annee=demo.courante).exists()
    candidates = designations_a_renouveler(demo.a, demo.precedente, demo.courante)
    assert {d.agent.email for d in candidates} == {JULIE, SAMIR}
    # Les personas restent RUPN de leurs établissements, sans rôle en double.
    assert Role.objects.valides().filter(utilisateur__email=JULIE, type=Role.Type.RUPN).count() == 1
    assert Role.objects.valides().filter(utilisateur__email=SAMIR, type=Role.Type.RUPN).count() == 2


def test_quarante_autres_etablissements_dans_des_etats_varies(demo):
    assert demo.autres.values("etablissement").distinct().count() == 40
    assert not demo.autres.exclude(etablissement__academie__code="16").exists()
    assert Counter(demo.autres.filter(annee=demo.precedente).values_list("statut", flat=True)) == {"validee": 34}
    cette_annee = demo.autres.filter(annee=demo.courante)
    assert Counter(cette_annee.values_list("statut", flat=True)) == {
        "validee": 22,
        "acceptee": 8,  # à valider par la DANE
        "proposee": 6,
        "refusee": 4,
        "terminee": 2,
    }
    assert all(d.motif_refus for d in cette_annee.filter(statut="refusee"))
    # Couverture partielle : 28 établissements fictifs et le lycée B ont un RUPN qui a accepté.
    couverts = Designation.objects.filter(annee=demo.courante).acceptees().values("etablissement").distinct()
    assert couverts.count() == 29 < Etablissement.objects.filter(academie__code="16", ouvert=True).count()

    for annee in (demo.precedente, demo.courante):
        imp = demo.autres.filter(annee=annee, taux__isnull=False).select_related("taux")
        assert {d.taux.montant for d in imp} == TAUX
        assert set(TauxIMP.objects.autorises(imp[0].etablissement.academie, annee)) >= {d.taux for d in imp}
        allegements = demo.autres.filter(annee=annee, taux__isnull=True)
        assert [(d.heures_allegement, d.montant) for d in allegements] == [(Decimal("2"), Decimal("0"))] * 2

    # Des personnes et des directions fictives, qui ne peuvent pas se connecter.
    fictives = Utilisateur.objects.filter(email__startswith="rupn.0") | Utilisateur.objects.filter(
        email__startswith="direction."
    )
    assert fictives.count() == 86
    assert all(p.email.endswith("@demo.rupn.example") and not p.has_usable_password() for p in fictives)
    assert set(demo.autres.values_list("agent__email", flat=True)) <= set(fictives.values_list("email", flat=True))


def test_un_remplacement_en_cours_d_annee_partage_le_montant_annuel(demo):
    terminees = demo.autres.filter(statut="terminee").select_related("taux")
    assert terminees.count() == 2
    for terminee in terminees:
        (remplacante,) = terminee.remplacements.all()
        assert remplacante.statut == "validee"
        assert (terminee.fin, remplacante.debut, remplacante.fin) == (
            datetime.date(demo.courante.debut.year, 10, 31),
            datetime.date(demo.courante.debut.year, 11, 1),
            demo.courante.fin,
        )
        assert (terminee.nb_mois, remplacante.nb_mois) == (2, 10)
        assert terminee.montant + remplacante.montant == terminee.taux.montant


def test_chaque_designation_est_passee_par_les_services(demo):
    for designation in Designation.objects.select_related("annee", "taux"):
        premiere = designation.transitions.first()
        assert (premiere.de, premiere.vers) == ("", "proposee")
        nb_mois = len(mois_de_mission(designation.annee.debut, designation.debut, designation.fin))
        attendu = montant_du(designation.taux.montant, nb_mois) if designation.taux_id else 0
        assert (designation.nb_mois, designation.montant) == (nb_mois, attendu)
    # La DANE a un échéancier à lire : les IMP validées de cette année ont leurs versements.
    validees = Designation.objects.filter(annee=demo.courante, statut="validee", taux__isnull=False)
    assert validees.count() == 21
    for designation in validees.select_related("taux", "annee"):
        lignes = echeancier(
            montant_annuel=designation.taux.montant,
            debut_annee=designation.annee.debut,
            debut=designation.debut,
            fin=designation.fin,
            premier_mois_paiement=10,
        )
        assert sum(ligne.montant for ligne in lignes) == designation.montant


def test_une_enveloppe_par_etablissement_et_par_annee_dont_une_depassee(demo):
    assert Enveloppe.objects.count() == 2 * 42
    assert Enveloppe.objects.filter(etablissement__in=[demo.a, demo.b]).count() == 4
    depassees = []
    for enveloppe in Enveloppe.objects.select_related("etablissement", "annee"):
        engage = (
            Designation.objects.filter(etablissement=enveloppe.etablissement, annee=enveloppe.annee)
            .engagees()
            .aggregate(total=Sum("montant"))["total"]
            or 0
        )
        if engage > enveloppe.montant:
            depassees.append((enveloppe.annee, engage, enveloppe.montant))
    assert depassees == [(demo.courante, Decimal("1875"), Decimal("1250"))]
    # Le collège A peut reconduire ce qu'il engageait l'an dernier (1 250 + 625 €).
    assert Enveloppe.objects.get(etablissement=demo.a, annee=demo.courante).montant == Decimal("2500")


@pytest.mark.django_db(transaction=True)
def test_les_courriels_des_services_ne_s_affichent_pas_dans_la_console(settings, capsys):
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    call_command("charger_demo", forcer=True, stdout=StringIO())

    assert "Subject:" not in capsys.readouterr().out
    # Ils ont bien été écrits, tous à des adresses fictives.
    assert len(mail.outbox) > 80
    assert all(adresse.endswith("@demo.rupn.example") for message in mail.outbox for adresse in message.to)
