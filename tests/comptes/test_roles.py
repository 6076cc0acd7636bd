"""Rôles : validité dans le temps, choix du rôle actif, règles du modèle, périmètre des établissements."""

import datetime
import html

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from rupn.comptes.models import Role
from rupn.comptes.roles import charger_roles
from rupn.territoires.models import Etablissement
from tests.conftest import client_de
from tests.factories import RoleFactory, UtilisateurFactory, academie

pytestmark = pytest.mark.django_db

HIER = datetime.timedelta(days=-1)
DEMAIN = datetime.timedelta(days=1)


def texte(reponse):
    return html.unescape(reponse.content.decode())


@pytest.fixture
def double_casquette(college_a, college_b):
    """RUPN au collège A et chef du collège B."""
    personne = UtilisateurFactory(email="double@rupn.example")
    RoleFactory(utilisateur=personne, type=Role.Type.RUPN, etablissement=college_a)
    RoleFactory(utilisateur=personne, type=Role.Type.CHEF, etablissement=college_b)
    return personne


def role_de(personne, type_role):
    return personne.roles.get(type=type_role)


def test_deux_roles_valides_donnent_un_selecteur_dans_l_en_tete(double_casquette):
    reponse = client_de(double_casquette).get("/")

    contenu = texte(reponse)
    assert 'id="choix-role"' in contenu
    assert f'action="{reverse("comptes:role_choisir")}"' in contenu
    for role in double_casquette.roles.all():
        assert f'value="{role.uuid}"' in contenu
    # Par défaut, le rôle de direction passe avant celui de RUPN.
    assert reponse.context["role"] == role_de(double_casquette, Role.Type.CHEF)
    assert "Chef d'établissement</strong> — Collège B" in contenu


def test_un_seul_role_valide_ne_donne_pas_de_selecteur(chef_a):
    contenu = texte(client_de(chef_a).get("/"))
    assert 'id="choix-role"' not in contenu
    assert "Chef d'établissement" in contenu


def test_changer_de_role_change_l_accueil(double_casquette):
    client = client_de(double_casquette)
    rupn = role_de(double_casquette, Role.Type.RUPN)

    reponse = client.post(reverse("comptes:role_choisir"), {"role": str(rupn.uuid), "next": "/"}, follow=True)

    assert reponse.redirect_chain == [("/", 302)]
    assert reponse.context["role"] == rupn
    contenu = texte(reponse)
    assert "Vous agissez maintenant en tant que RUPN — Collège A" in contenu
    assert "RUPN</strong> — Collège A" in contenu
    assert reponse.context["etablissement"].nom == "Collège A"
    # Le choix tient pour les pages suivantes.
    assert client.get("/").context["role"] == rupn


@pytest.mark.parametrize(
    ("suivante", "attendue"),
    [
        ("/comptes/invitations/", "/comptes/invitations/"),
        ("http://testserver/plan-du-site/", "http://testserver/plan-du-site/"),
        ("https://malveillant.example/piege/", "/"),
        ("//malveillant.example/piege/", "/"),
        ("", "/"),
    ],
)
def test_la_page_suivante_doit_etre_sur_le_meme_site(double_casquette, suivante, attendue):
    rupn = role_de(double_casquette, Role.Type.RUPN)

    reponse = client_de(double_casquette).post(
        reverse("comptes:role_choisir"), {"role": str(rupn.uuid), "next": suivante}
    )

    assert reponse.status_code == 302
    assert reponse["Location"] == attendue


def test_les_roles_echus_ou_a_venir_ne_sont_pas_valides(college_a, college_b, college_tarn):
    aujourd_hui = timezone.localdate()
    personne = UtilisateurFactory()
    en_cours = RoleFactory(utilisateur=personne, type=Role.Type.RUPN, etablissement=college_a)
    echu = RoleFactory(
        utilisateur=personne,
        type=Role.Type.CHEF,
        etablissement=college_b,
        debut=aujourd_hui - datetime.timedelta(days=30),
        fin=aujourd_hui + HIER,
    )
    a_venir = RoleFactory(
        utilisateur=personne, type=Role.Type.CHEF, etablissement=college_tarn, debut=aujourd_hui + DEMAIN
    )
    # Les bornes sont comprises : un rôle qui finit aujourd'hui est encore valide.
    dernier_jour = RoleFactory(
        utilisateur=personne, type=Role.Type.ADJOINT, etablissement=college_a, debut=aujourd_hui, fin=aujourd_hui
    )

    assert set(Role.objects.filter(utilisateur=personne).valides()) == {en_cours, dernier_jour}
    client = client_de(personne)
    reponse = client.get("/")
    assert reponse.context["user"].roles_valides == [dernier_jour, en_cours]
    contenu = texte(reponse)
    assert f'value="{echu.uuid}"' not in contenu
    assert f'value="{a_venir.uuid}"' not in contenu
    for role in (echu, a_venir):
        assert client.post(reverse("comptes:role_choisir"), {"role": str(role.uuid)}).status_code == 404


def test_sans_role_valide_l_accueil_le_dit(college_a):
    personne = UtilisateurFactory()
    RoleFactory(
        utilisateur=personne,
        etablissement=college_a,
        debut=timezone.localdate() - datetime.timedelta(days=10),
        fin=timezone.localdate() + HIER,
    )

    reponse = client_de(personne).get("/")

    assert reponse.status_code == 200
    assert reponse.context["role"] is None
    contenu = texte(reponse)
    assert "Aucun rôle en cours" in contenu
    assert 'id="choix-role"' not in contenu
    assert "Collège A" not in contenu


def test_un_role_choisi_puis_echu_laisse_place_a_un_autre(double_casquette):
    client = client_de(double_casquette)
    rupn = role_de(double_casquette, Role.Type.RUPN)
    client.post(reverse("comptes:role_choisir"), {"role": str(rupn.uuid)})
    Role.objects.filter(pk=rupn.pk).update(
        debut=timezone.localdate() - datetime.timedelta(days=5), fin=timezone.localdate() + HIER
    )

    reponse = client.get("/")

    assert reponse.context["role"] == role_de(double_casquette, Role.Type.CHEF)


# --- Règles du modèle --------------------------------------------------------------------------------------------


def erreurs_de(role):
    with pytest.raises(ValidationError) as erreur:
        role.clean()
    return erreur.value.message_dict


def test_un_role_d_etablissement_exige_un_etablissement(db):
    for type_role in (Role.Type.CHEF, Role.Type.ADJOINT, Role.Type.RUPN):
        assert erreurs_de(Role(utilisateur=UtilisateurFactory(), type=type_role)) == {
            "etablissement": ["Ce rôle s'exerce dans un établissement : choisissez-le."]
        }


def test_un_role_academique_exige_une_academie(db):
    for type_role in (Role.Type.DANE, Role.Type.CORRESPONDANT):
        assert erreurs_de(Role(utilisateur=UtilisateurFactory(), type=type_role)) == {
            "academie": ["Ce rôle s'exerce dans une académie : choisissez-la."]
        }


def test_la_fin_ne_precede_pas_le_debut(college_a):
    role = Role(
        utilisateur=UtilisateurFactory(),
        type=Role.Type.RUPN,
        etablissement=college_a,
        debut=datetime.date(2025, 9, 1),
        fin=datetime.date(2025, 8, 31),
    )
    assert erreurs_de(role) == {"fin": ["La fin de validité précède son début."]}
    role.fin = role.debut
    role.clean()


def test_clean_deduit_l_academie_de_l_etablissement_et_efface_le_superflu(college_herault):
    role = Role(type=Role.Type.CHEF, etablissement=college_herault, academie=academie("16"))
    role.clean()
    assert role.academie == academie("11")

    dane = Role(type=Role.Type.DANE, academie=academie("16"), etablissement=college_herault)
    dane.clean()
    assert dane.etablissement is None

    national = Role(type=Role.Type.NATIONAL, academie=academie("16"), etablissement=college_herault)
    national.clean()
    assert (national.etablissement, national.academie) == (None, None)


# --- Périmètre des établissements --------------------------------------------------------------------------------


@pytest.fixture
def quatre_colleges(college_a, college_b, college_tarn, college_herault):
    return {"a": college_a, "b": college_b, "tarn": college_tarn, "herault": college_herault}


def visibles(user):
    if user.is_authenticated:
        charger_roles(user)
    return set(Etablissement.objects.visible_to(user).values_list("nom", flat=True))


@pytest.mark.parametrize(
    ("persona", "attendus"),
    [
        ("national", {"a", "b", "tarn", "herault"}),
        ("dane_toulouse", {"a", "b", "tarn"}),
        ("dane_montpellier", {"herault"}),
        ("correspondant_31", {"a", "b"}),
        ("chef_a", {"a"}),
        ("adjoint_a", {"a"}),
        ("rupn_a", {"a"}),
        ("chef_b", {"b"}),
    ],
)
def test_etablissements_visibles_par_persona(request, quatre_colleges, persona, attendus):
    user = request.getfixturevalue(persona)
    assert visibles(user) == {quatre_colleges[cle].nom for cle in attendus}


def test_sans_role_aucun_etablissement_n_est_visible(quatre_colleges):
    assert visibles(UtilisateurFactory()) == set()
    assert visibles(AnonymousUser()) == set()


def test_le_perimetre_suit_le_role_actif(double_casquette, quatre_colleges):
    rupn = role_de(double_casquette, Role.Type.RUPN)
    charger_roles(double_casquette, str(rupn.uuid))
    assert set(Etablissement.objects.visible_to(double_casquette)) == {quatre_colleges["a"]}
    charger_roles(double_casquette, "uuid-inconnu")
    assert set(Etablissement.objects.visible_to(double_casquette)) == {quatre_colleges["b"]}


def test_le_role_dane_porte_le_nom_du_service_de_l_academie(dane_toulouse):
    from rupn.territoires.models import Academie

    Academie.objects.filter(code="16").update(libelle_service="DRANE")
    contenu = client_de(dane_toulouse).get("/").content.decode()
    assert "Personnel de la DRANE" in contenu
    assert "Personnel de la DANE" not in contenu
