"""Nouvelle version de la grille de maturité d'une académie, enregistrée par la DANE.

Une version enregistrée ne change plus (`Grille.save`) : la DANE en enregistre la suivante, qui reprend les cinq
domaines (codes et titres fixes) et, dans chacun, les items qu'elle garde (libellé modifiable, code et niveau
inchangés), moins ceux qu'elle retire, plus ceux qu'elle ajoute. Les positionnements sont relus par code d'item :
un item gardé garde son historique, un item retiré ne compte plus dans les niveaux.

Forme du contenu proposé : [{"code": code du domaine, "items": [(code, niveau, libellé)]}], dans l'ordre."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.text import slugify

from rupn.maturite.models import Domaine, Grille, Item, Positionnement
from rupn.maturite.services import NIVEAUX, recalculer_niveaux
from rupn.territoires.models import Academie, AnneeScolaire, Etablissement

LONGUEUR_LIBELLE = Item._meta.get_field("libelle").max_length
LONGUEUR_CODE = Item._meta.get_field("code").max_length


def contenu_de(grille):
    """Le contenu d'une version, sous la forme que prend `grille_enregistrer`."""
    return [
        {"code": domaine.code, "items": [(item.code, item.niveau, item.libelle) for item in domaine.items.all()]}
        for domaine in grille.domaines.prefetch_related("items")
    ]


def valider_contenu(contenu, courant):
    """Les erreurs (liste de phrases) du contenu proposé au regard de la version courante `courant` (même
    forme) : domaines inchangés, codes d'item bien formés et uniques dans la grille, niveaux de 1 à 3, libellés
    non vides, items gardés au même niveau, au moins un item à chaque niveau de chaque domaine."""
    erreurs = []
    if [domaine["code"] for domaine in contenu] != [domaine["code"] for domaine in courant]:
        return ["Les cinq domaines de la grille ne changent pas d'une version à l'autre."]
    niveaux_courants = {(domaine["code"], code): niveau for domaine in courant for code, niveau, _ in domaine["items"]}
    domaine_des_codes = {}
    for domaine in contenu:
        for code, niveau, libelle in domaine["items"]:
            nom = f"« {code} » ({domaine['code']})"
            if not code or slugify(code) != code or len(code) > LONGUEUR_CODE:
                erreurs.append(
                    f"Code d'item {nom} invalide : lettres minuscules sans accent, chiffres et tirets, "
                    f"{LONGUEUR_CODE} caractères au plus."
                )
            if code in domaine_des_codes:
                erreurs.append(f"Le code d'item « {code} » figure deux fois dans la grille : un code est unique.")
            domaine_des_codes[code] = domaine["code"]
            if niveau not in NIVEAUX:
                erreurs.append(f"Niveau de l'item {nom} invalide : 1, 2 ou 3.")
            ancien = niveaux_courants.get((domaine["code"], code))
            if ancien is not None and ancien != niveau:
                erreurs.append(
                    f"L'item {nom} garde son niveau ({ancien}) : pour changer de niveau, retirez-le et ajoutez un "
                    "item sous un autre code."
                )
            if not libelle.strip():
                erreurs.append(f"Le libellé de l'item {nom} est vide.")
            elif len(libelle) > LONGUEUR_LIBELLE:
                erreurs.append(f"Le libellé de l'item {nom} dépasse {LONGUEUR_LIBELLE} caractères.")
        for niveau in NIVEAUX:
            if not any(n == niveau for _, n, _ in domaine["items"]):
                erreurs.append(
                    f"Le domaine « {domaine['code']} » n'a plus d'item de niveau {niveau} : ce niveau ne pourrait "
                    "plus être atteint. Gardez ou ajoutez au moins un item à chaque niveau."
                )
    return erreurs


def grille_enregistrer(*, academie, contenu, par, commentaire="", depuis=None):
    """Enregistre la version suivante de la grille de l'académie ; rend (version, créée).

    Un contenu identique à la version courante n'en crée pas : rend (courante, False). `depuis` : le numéro de la
    version que la personne avait sous les yeux ; si une autre a été enregistrée entre-temps, rien n'est
    enregistré. Les niveaux de l'année en cours des établissements de l'académie qui ont rempli la grille sont
    recalculés avec la nouvelle version (ceux des années passées restent ceux de leur grille d'alors)."""
    with transaction.atomic():
        # Le verrou sur l'académie range les enregistrements simultanés l'un après l'autre.
        Academie.objects.select_for_update().get(pk=academie.pk)
        courante = Grille.objects.courante(academie)
        if depuis is not None and depuis != courante.version:
            raise ValidationError(
                f"La version {courante.version} de la grille a été enregistrée pendant que vous modifiiez la "
                f"version {depuis} : relisez-la, puis enregistrez à nouveau vos modifications."
            )
        contenu_courant = contenu_de(courante)
        erreurs = valider_contenu(contenu, contenu_courant)
        if erreurs:
            raise ValidationError(erreurs)
        contenu = [
            {**domaine, "items": [(code, niveau, libelle.strip()) for code, niveau, libelle in domaine["items"]]}
            for domaine in contenu
        ]
        if contenu == contenu_courant:
            return courante, False
        grille = Grille(academie=academie, version=courante.version + 1, cree_par=par, commentaire=commentaire.strip())
        grille.full_clean(validate_constraints=False)
        try:
            with transaction.atomic():
                grille.save()
        except IntegrityError:
            raise ValidationError(
                f"Une autre personne vient d'enregistrer la version {grille.version} de la grille : rechargez la "
                "page pour la voir, puis enregistrez à nouveau vos modifications."
            ) from None
        titres = dict(courante.domaines.values_list("code", "titre"))
        domaines = Domaine.objects.bulk_create(
            [
                Domaine(grille=grille, code=domaine["code"], titre=titres[domaine["code"]], ordre=ordre)
                for ordre, domaine in enumerate(contenu, start=1)
            ]
        )
        items = [
            Item(domaine=objet, code=code, niveau=niveau, libelle=libelle, ordre=ordre)
            for objet, domaine in zip(domaines, contenu, strict=True)
            for ordre, (code, niveau, libelle) in enumerate(domaine["items"], start=1)
        ]
        for item in items:
            item.full_clean(validate_unique=False, validate_constraints=False)
        Item.objects.bulk_create(items)
        annee = AnneeScolaire.objects.courante()
        if annee is not None:
            ids = list(
                Positionnement.objects.filter(annee=annee, etablissement__academie=academie)
                .values_list("etablissement_id", flat=True)
                .distinct()
            )
            # Le verrou de `positionner` : un item en cours d'enregistrement dans l'un d'eux l'est avant le recalcul,
            # et un item envoyé pendant celui-ci attend la nouvelle version (puis est refusé : page à recharger).
            list(Etablissement.objects.select_for_update().filter(pk__in=ids).values_list("pk", flat=True))
            recalculer_niveaux(ids, annee)
    return grille, True
