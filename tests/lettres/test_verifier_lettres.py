"""Commande verifier_lettres : relecture de nuit des PDF scellés stockés (empreinte et sceau)."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from lettres.models import LettreMission
from tests.factories import EtablissementFactory, LettreMissionFactory
from tests.lettres.conftest import sceller_pour_test


def verifier(*args):
    """(sortie, erreurs, code de sortie) de la commande."""
    sortie, erreurs = StringIO(), StringIO()
    try:
        call_command("verifier_lettres", *args, stdout=sortie, stderr=erreurs)
    except CommandError as erreur:
        return sortie.getvalue(), erreurs.getvalue() + str(erreur), erreur.returncode
    return sortie.getvalue(), erreurs.getvalue(), 0


def changer_un_octet(lettre):
    chemin = lettre.pdf.path
    with open(chemin, "rb") as fichier:
        octets = bytearray(fichier.read())
    position = octets.index(b"stream", len(octets) // 3) + 40
    octets[position] ^= 0x01
    with open(chemin, "wb") as fichier:
        fichier.write(octets)


@pytest.fixture
def quatre_lettres(db):
    """Quatre lettres scellées de quatre établissements ; la dernière est ensuite annulée (son PDF reste)."""
    lettres = [sceller_pour_test(etablissement=EtablissementFactory(nom=f"Collège {nom}")) for nom in "ABCD"]
    LettreMission.objects.filter(pk=lettres[3].pk).update(statut=LettreMission.Statut.ANNULEE)
    return lettres


def test_les_lettres_intactes_sont_comptees_et_la_commande_reussit(quatre_lettres):
    LettreMissionFactory()  # un brouillon, sans PDF : pas concerné

    sortie, erreurs, code = verifier()

    assert code == 0
    assert "4 lettres scellées contrôlées : 4 intactes, 0 altérée." in sortie
    assert "altérées :" not in sortie and erreurs == ""


def test_les_lettres_alterees_sont_listees_et_la_commande_echoue(quatre_lettres):
    intacte_1, intacte_2, modifiee, absente = quatre_lettres
    changer_un_octet(modifiee)
    absente.pdf.storage.delete(absente.pdf.name)

    sortie, erreurs, code = verifier()

    assert code == 1
    assert "4 lettres scellées contrôlées : 2 intactes, 2 altérées." in sortie
    lignes = [ligne for ligne in sortie.splitlines() if ligne.startswith("- ")]
    assert len(lignes) == 2
    assert lignes[0].startswith(f"- Collège C, 2025-2026, code {modifiee.code_verification} : empreinte différente ; ")
    assert "sceau invalide (Le document a été modifié après son scellement.)" in lignes[0]
    assert lignes[1] == f"- Collège D, 2025-2026, code {absente.code_verification} : fichier absent"
    assert "2 lettres altérées" in erreurs
    assert intacte_1.code_verification not in sortie and intacte_2.code_verification not in sortie


def test_une_empreinte_changee_en_base_est_signalee_meme_si_le_sceau_est_valide(db):
    lettre = sceller_pour_test()
    LettreMission.objects.filter(pk=lettre.pk).update(empreinte_pdf="0" * 64)

    sortie, _, code = verifier()

    assert code == 1
    assert f"code {lettre.code_verification} : empreinte différente" in sortie
    assert "sceau invalide" not in sortie


def test_sans_sceau_configure_seules_les_empreintes_sont_controlees(db, settings):
    lettre = sceller_pour_test()
    settings.RUPN_SCEAU_PKCS12 = ""

    sortie, erreurs, code = verifier()
    assert code == 0 and "1 lettre scellée contrôlée : 1 intacte, 0 altérée." in sortie
    assert "seules les empreintes ont été contrôlées" in erreurs

    changer_un_octet(lettre)
    sortie, _, code = verifier()
    assert code == 1 and f"code {lettre.code_verification} : empreinte différente" in sortie


def test_l_option_academie_ne_controle_que_ses_lettres(db):
    sceller_pour_test()  # collège de Haute-Garonne, académie de Toulouse (16)

    sortie, _, code = verifier("--academie", "11")
    assert code == 0 and "0 lettre scellée contrôlée : 0 intacte, 0 altérée." in sortie

    sortie, _, code = verifier("--academie", "16")
    assert code == 0 and "1 lettre scellée contrôlée : 1 intacte, 0 altérée." in sortie

    with pytest.raises(CommandError, match="Aucune académie n'a le code « 99 »"):
        call_command("verifier_lettres", "--academie", "99", stdout=StringIO())
