"""Le modèle de lettre de mission proposé par défaut à une académie, et la forme de tout modèle.

Le contenu d'un modèle est un objet JSON de forme stable (les lettres en reprennent les parties) :

    {
        "preambule": str,             # le cadre de la mission, en tête de chaque lettre (obligatoire)
        "axes": [                     # exactement quatre axes, dans l'ordre des codes "1" à "4"
            {
                "code": "1",          # "1", "2", "3" ou "4"
                "titre": str,         # obligatoire
                "missions": [str],    # missions suggérées : au moins une, une phrase chacune
                "indicateurs": [str], # indicateurs suggérés : facultatifs, arrêtés avec le RUPN
            },
            ...
        ],
        "moyens": str,                # moyens mis à disposition (peut être vide)
        "formation": str,             # formation du RUPN (peut être vide)
        "suivi": str,                 # suivi de l'activité (peut être vide)
    }

Les textes gardent leurs sauts de ligne (un paragraphe par ligne). `valider_contenu` vérifie cette
forme et les longueurs ; ses erreurs sont rangées sous les noms des champs du formulaire du modèle
(`preambule`, `axe_2_titre`, `axe_2_missions`, `axe_2_indicateurs`, `moyens`…), les erreurs de
forme sous `__all__`.
"""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

CODES_AXES = ("1", "2", "3", "4")
# Les textes du modèle et leur titre dans le formulaire et dans la lettre.
BLOCS = {
    "preambule": "Préambule",
    "moyens": "Moyens mis à disposition",
    "formation": "Formation",
    "suivi": "Suivi de l'activité",
}
LISTES = {"missions": ("mission", "missions"), "indicateurs": ("indicateur", "indicateurs")}

LONGUEUR_TEXTE = 4000
LONGUEUR_TITRE = 200
LONGUEUR_LIGNE = 300
NOMBRE_MAX = {"missions": 12, "indicateurs": 8}


def message_manquant(cle):
    """Le message d'un élément obligatoire laissé vide (le formulaire et la validation le partagent)."""
    if cle == "preambule":
        return "Rédigez le préambule : il rappelle le cadre de la mission en tête de chaque lettre."
    code, partie = cle.removeprefix("axe_").split("_")
    if partie == "titre":
        return f"Donnez un titre à l'axe {code}."
    return f"Proposez au moins une mission pour l'axe {code} : le chef d'établissement y choisira celles de sa lettre."


def _nombre(n):
    return f"{n:,}".replace(",", "\u202f")


def _trop_long(sujet, longueur, maximum):
    return f"{sujet} compte {_nombre(longueur)} caractères : {_nombre(maximum)} au plus."


def valider_contenu(contenu):
    """Lève une ValidationError (messages en français) si le contenu n'a pas la forme décrite plus haut."""
    if not isinstance(contenu, dict) or set(contenu) != {"preambule", "axes", *BLOCS}:
        raise ValidationError(
            {NON_FIELD_ERRORS: "Le contenu du modèle est mal formé : préambule, axes, moyens, formation et suivi."}
        )
    erreurs = {}
    for cle, titre in BLOCS.items():
        sujet = "Le préambule" if cle == "preambule" else f"Le bloc « {titre} »"
        texte = contenu[cle]
        if not isinstance(texte, str):
            erreurs[cle] = f"{sujet} doit être un texte."
        elif cle == "preambule" and not texte.strip():
            erreurs[cle] = message_manquant(cle)
        elif len(texte) > LONGUEUR_TEXTE:
            erreurs[cle] = _trop_long(sujet, len(texte), LONGUEUR_TEXTE)
    axes = contenu["axes"]
    if not isinstance(axes, list) or [axe.get("code") if isinstance(axe, dict) else None for axe in axes] != list(
        CODES_AXES
    ):
        erreurs[NON_FIELD_ERRORS] = "Le modèle compte exactement quatre axes, numérotés de 1 à 4 dans l'ordre."
    else:
        for axe in axes:
            erreurs.update(_erreurs_axe(axe))
    if erreurs:
        raise ValidationError(erreurs)


def _erreurs_axe(axe):
    code = axe["code"]
    if set(axe) != {"code", "titre", "missions", "indicateurs"} or not all(
        isinstance(axe[cle], list) and all(isinstance(ligne, str) for ligne in axe[cle]) for cle in LISTES
    ):
        return {NON_FIELD_ERRORS: f"L'axe {code} est mal formé : un titre, des missions et des indicateurs."}
    erreurs = {}
    titre = axe["titre"]
    if not isinstance(titre, str) or not titre.strip():
        erreurs[f"axe_{code}_titre"] = message_manquant(f"axe_{code}_titre")
    elif len(titre) > LONGUEUR_TITRE:
        erreurs[f"axe_{code}_titre"] = _trop_long(f"Le titre de l'axe {code}", len(titre), LONGUEUR_TITRE)
    for cle, (singulier, pluriel) in LISTES.items():
        lignes = axe[cle]
        messages = []
        if cle == "missions" and not lignes:
            messages.append(message_manquant(f"axe_{code}_missions"))
        if len(lignes) > NOMBRE_MAX[cle]:
            messages.append(f"Axe {code} : {len(lignes)} {pluriel}, {NOMBRE_MAX[cle]} au plus.")
        for rang, ligne in enumerate(lignes, start=1):
            if not ligne.strip():
                messages.append(f"Axe {code}, {singulier} {rang} : la ligne est vide.")
            elif len(ligne) > LONGUEUR_LIGNE:
                messages.append(
                    f"Axe {code}, {singulier} {rang} : {_nombre(len(ligne))} caractères, {LONGUEUR_LIGNE} au plus ; "
                    "raccourcissez-la ou scindez-la en deux lignes."
                )
        for ligne in sorted({ligne for ligne in lignes if lignes.count(ligne) > 1}):
            messages.append(f"Axe {code} : « {ligne} » figure deux fois parmi les {pluriel}.")
        if messages:
            erreurs[f"axe_{code}_{cle}"] = messages
    return erreurs


def contenu_par_defaut(service="DANE"):
    """Le modèle proposé à une académie qui n'a pas encore le sien ; `service` : DANE, DRANE ou SRANE.

    Sources : décret n° 2015-475 et circulaire n° 2015-058 (IMP), lettres de mission des académies.
    """
    return {
        "preambule": (
            "La mission de référent pour les ressources et usages pédagogiques numériques (RUPN) s'inscrit dans "
            "le cadre du décret n° 2015-475 du 27 avril 2015 relatif à l'indemnité pour mission particulière et de "
            "la circulaire n° 2015-058 du 29 avril 2015. Elle est conférée par le chef d'établissement, avec "
            "l'accord de l'enseignant qui l'exerce, pour la période indiquée dans cette lettre.\n"
            "Le RUPN contribue, aux côtés du chef d'établissement, au développement des usages pédagogiques du "
            "numérique dans l'établissement. La présente lettre fixe ses missions selon quatre axes ainsi que les "
            "indicateurs, arrêtés d'un commun accord, qui permettront d'en apprécier les actions.\n"
            "Le RUPN n'assure pas la maintenance des équipements et ne dispose pas de droits d'administrateur sur "
            "les matériels, les logiciels ou le réseau de l'établissement. Le chef d'établissement reste "
            "responsable de l'espace numérique de travail (ENT) et des services en ligne de l'établissement : le "
            "RUPN n'en administre les services pédagogiques que par délégation."
        ),
        "axes": [
            {
                "code": "1",
                "titre": "Conseiller et accompagner le chef d'établissement dans le pilotage du numérique",
                "missions": [
                    "Participer à la commission numérique (ou au comité numérique) de l'établissement et contribuer "
                    "à la préparation de ses réunions.",
                    "Conseiller le chef d'établissement dans ses choix d'équipements, de ressources et de services "
                    "numériques pédagogiques.",
                    "Contribuer à l'élaboration et au suivi du volet numérique du projet d'établissement.",
                    "Contribuer au positionnement annuel de l'établissement sur la grille de maturité numérique.",
                    f"Relayer auprès de l'équipe de direction les informations et les offres de la {service}.",
                ],
                "indicateurs": [
                    "Nombre de réunions de la commission numérique préparées ou suivies.",
                    "Volet numérique du projet d'établissement rédigé ou actualisé.",
                    "Grille de maturité numérique renseignée dans l'année.",
                ],
            },
            {
                "code": "2",
                "titre": "Accompagner les enseignants dans leurs usages pédagogiques du numérique",
                "missions": [
                    "Accueillir les nouveaux enseignants et leur présenter les équipements, les ressources et les "
                    "services numériques de l'établissement.",
                    "Recueillir les besoins des enseignants en matière d'usages pédagogiques du numérique et en "
                    "rendre compte au chef d'établissement.",
                    "Animer des temps d'échange ou de formation entre pairs (ateliers, démonstrations, tutoriels).",
                    "Faire connaître les ressources numériques pédagogiques et les services de la plateforme "
                    "apps.education.fr.",
                    "Accompagner les projets pédagogiques qui font appel au numérique, notamment interdisciplinaires.",
                    "Sensibiliser aux usages responsables du numérique : droit d'auteur, protection des données "
                    "personnelles, cybersécurité, intelligence artificielle.",
                ],
                "indicateurs": [
                    "Nombre d'enseignants accompagnés, individuellement ou en groupe.",
                    "Nombre de temps d'échange ou de formation animés et nombre de participants.",
                    "Nombre de projets pédagogiques accompagnés.",
                ],
            },
            {
                "code": "3",
                "titre": "Contribuer à la disponibilité des équipements en lien avec les services d'assistance",
                "missions": [
                    "Signaler les dysfonctionnements aux services d'assistance compétents (collectivité de "
                    "rattachement, académie, prestataires) par les outils prévus, notamment les tickets.",
                    "Suivre les demandes d'intervention jusqu'à leur résolution et en informer les utilisateurs.",
                    "Faire connaître aux utilisateurs les procédures d'assistance et les bonnes pratiques "
                    "d'utilisation des équipements.",
                    "Participer à l'expression des besoins de l'établissement en équipements et en réseau, en lien "
                    "avec la collectivité de rattachement.",
                ],
                "indicateurs": [
                    "Nombre de demandes d'assistance (tickets) ouvertes et délai moyen de leur résolution.",
                    "Procédures d'assistance diffusées aux utilisateurs.",
                ],
            },
            {
                "code": "4",
                "titre": "Administrer les ressources et services pédagogiques en ligne par délégation",
                "missions": [
                    "Administrer, par délégation du chef d'établissement, les services pédagogiques de l'espace "
                    "numérique de travail (ENT) : espaces de classe, groupes, services proposés.",
                    "Aider les élèves et les enseignants dans l'usage de leurs comptes (première connexion, mot de "
                    "passe oublié) selon les procédures de l'établissement.",
                    "Attribuer aux élèves et aux enseignants les ressources numériques pédagogiques acquises par "
                    "l'établissement (gestionnaire d'accès aux ressources).",
                    "Recenser les services en ligne utilisés en classe et les porter à la connaissance du chef "
                    "d'établissement, responsable de leur conformité à la protection des données personnelles.",
                    "Informer les élèves et les familles des usages de l'ENT et des services en ligne de "
                    "l'établissement.",
                ],
                "indicateurs": [
                    "Part des élèves et des enseignants qui utilisent l'ENT au cours de l'année.",
                    "Nombre de ressources numériques attribuées et utilisées.",
                    "Liste des services en ligne utilisés, tenue à jour et transmise au chef d'établissement.",
                ],
            },
        ],
        "moyens": (
            "Accès aux salles et aux équipements numériques de l'établissement.\n"
            "Droits de gestion délégués sur l'ENT et sur les ressources numériques, dans les limites fixées par le "
            "chef d'établissement.\n"
            "Temps de concertation avec l'équipe de direction, notamment lors des réunions de la commission "
            "numérique.\n"
            f"Accès aux espaces d'échange et aux listes de diffusion des RUPN de l'académie animés par la {service}."
        ),
        "formation": (
            f"Le RUPN suit le plan de formation de la {service}, construit sur trois ans : prise de fonction la "
            "première année, approfondissement les deux années suivantes, rencontres des RUPN du bassin ou du "
            "département et ressources en ligne.\n"
            "Le chef d'établissement facilite sa participation à ces formations."
        ),
        "suivi": (
            "Le RUPN tient tout au long de l'année un journal de ses activités.\n"
            f"En fin d'année, il remet au chef d'établissement un compte rendu d'activités, établi avec l'enquête "
            f"annuelle de la {service}, qui fait le point sur les indicateurs retenus.\n"
            "Les demandes d'assistance passent par les outils de tickets des services compétents, qui permettent "
            "d'en suivre le nombre et le traitement.\n"
            "Un entretien de bilan avec le chef d'établissement prépare la mission de l'année suivante."
        ),
    }
