"""L'enquête de fin d'année proposée par défaut, d'après les thèmes de l'enquête annuelle des RUPN de
l'académie de Poitiers (conduite chaque année depuis 2016) : profil, canaux d'information, besoins des
collègues, formations et accompagnements donnés, projets pédagogiques, pilotage, services en ligne
administrés, équipements et signalements, difficultés, besoins de formation, sujets nouveaux.

Chaque question a un code stable : il la suit quand l'académie copie son enquête d'une année sur
l'autre, et sert de colonne dans l'export des réponses. `prerempli` : ce que le service sait déjà
(voir enquetes/preremplissage.py).
"""

TITRE = "Enquête de fin d'année des RUPN — compte-rendu d'activité"
INTRODUCTION = (
    "Cette enquête fait le point sur votre année de référent pour les ressources et usages pédagogiques "
    "numériques. Elle tient lieu de compte-rendu d'activité à votre chef d'établissement, qui en prend "
    "connaissance, et nourrit le bilan académique de la DANE. Vos réponses sont enregistrées au fil de la "
    "saisie : vous pouvez vous arrêter et reprendre quand vous voulez, jusqu'à l'envoi."
)

FREQUENCE = ["Jamais", "Rarement", "Parfois", "Souvent"]
CANAUX = [
    "Courriel académique",
    "Lettre d'information de la DANE",
    "Site de la DANE",
    "Réunions de bassin",
    "Espace d'échange des RUPN",
    "Réseaux sociaux professionnels",
]
SERVICES = [
    "ENT de l'établissement",
    "Logiciel de vie scolaire",
    "apps.education.fr",
    "Manuels et ressources numériques",
    "Plateforme d'apprentissage (Moodle, Éléa…)",
    "Outils de visioconférence",
]
DIFFICULTES = [
    "Manque de temps",
    "Gestion des mots de passe et des comptes",
    "Équipements insuffisants ou vieillissants",
    "Réseau ou Wi-Fi défaillant",
    "Manque de reconnaissance",
    "Difficulté à mobiliser les collègues",
]
SUJETS = [
    "Intelligence artificielle",
    "apps.education.fr",
    "Cybersécurité",
    "Protection des données (RGPD)",
    "Éducation aux médias et à l'information",
    "Sobriété numérique",
]


def q(code, libelle, type, *, options=(), obligatoire=False, aide="", prerempli=""):
    return {
        "code": code,
        "libelle": libelle,
        "type": type,
        "options": list(options),
        "obligatoire": obligatoire,
        "aide": aide,
        "prerempli": prerempli,
    }


SECTIONS = [
    {
        "titre": "Votre profil",
        "description": "Quelques repères sur vous et votre mission cette année.",
        "questions": [
            q("anciennete_rupn", "Depuis combien d'années êtes-vous RUPN ?", "nombre", obligatoire=True),
            q(
                "discipline",
                "Quelle discipline enseignez-vous ?",
                "texte_court",
                aide="Ou votre fonction si vous n'enseignez pas.",
            ),
            q(
                "temps_hebdomadaire",
                "Combien d'heures par semaine consacrez-vous en moyenne à la mission ?",
                "nombre",
                obligatoire=True,
            ),
            q(
                "lettre_de_mission",
                "Disposez-vous d'une lettre de mission signée cette année ?",
                "oui_non",
                prerempli="lettre_signee",
            ),
        ],
    },
    {
        "titre": "Information et veille",
        "description": "Comment l'information sur le numérique éducatif vous parvient.",
        "questions": [
            q("canaux_information", "Par quels canaux vous informez-vous ?", "choix_multiple", options=CANAUX),
            q(
                "information_suffisante",
                "L'information reçue de la DANE vous semble-t-elle suffisante ?",
                "echelle",
                aide="1 : pas du tout, 5 : tout à fait.",
            ),
            q("veille_partagee", "Partagez-vous une veille avec vos collègues ?", "choix_unique", options=FREQUENCE),
        ],
    },
    {
        "titre": "Accompagnement des collègues",
        "description": "Les besoins des enseignants et ce que vous avez fait pour eux.",
        "questions": [
            q(
                "accompagnements",
                "Combien d'accompagnements individuels d'enseignants avez-vous menés ?",
                "nombre",
                prerempli="journal_accompagnement",
            ),
            q(
                "formations_animees",
                "Combien de formations ou d'ateliers avez-vous animés ?",
                "nombre",
                prerempli="journal_formation",
            ),
            q(
                "personnes_touchees",
                "Combien de personnes vos actions ont-elles touchées au total ?",
                "nombre",
                prerempli="journal_personnes",
            ),
            q(
                "besoins_collegues",
                "Quels sont les besoins des collègues qui reviennent le plus souvent ?",
                "texte_long",
            ),
            q(
                "satisfaction_collegues",
                "Les collègues sollicitent-ils facilement votre aide ?",
                "echelle",
                aide="1 : jamais, 5 : très souvent.",
            ),
        ],
    },
    {
        "titre": "Projets et pilotage",
        "description": "La place du numérique dans la vie pédagogique et le pilotage de l'établissement.",
        "questions": [
            q(
                "projets_pedagogiques",
                "Combien de projets pédagogiques numériques avez-vous accompagnés ?",
                "nombre",
                prerempli="journal_projet",
            ),
            q("projet_marquant", "Décrivez le projet le plus marquant de l'année.", "texte_long"),
            q(
                "commission_numerique",
                "Une commission (ou un comité) numérique s'est-elle réunie cette année ?",
                "oui_non",
            ),
            q(
                "reunions_commission",
                "À combien de réunions de la commission numérique avez-vous participé ?",
                "nombre",
                prerempli="journal_commission",
            ),
            q(
                "numerique_projet_etablissement",
                "Le numérique figure-t-il dans le projet d'établissement ?",
                "choix_unique",
                options=["Oui", "En cours de rédaction", "Non", "Je ne sais pas"],
            ),
            q(
                "echanges_direction",
                "Vos échanges avec la direction sur le numérique ont-ils été réguliers ?",
                "echelle",
                aide="1 : jamais, 5 : très réguliers.",
            ),
        ],
    },
    {
        "titre": "Services en ligne",
        "description": "Les ressources et services pédagogiques en ligne que vous administrez par délégation.",
        "questions": [
            q("services_administres", "Quels services administrez-vous ?", "choix_multiple", options=SERVICES),
            q(
                "temps_administration",
                "Quelle part de votre temps de mission l'administration de ces services représente-t-elle ?",
                "choix_unique",
                options=["Moins de 25 %", "De 25 à 50 %", "De 50 à 75 %", "Plus de 75 %"],
            ),
            q(
                "actions_administration",
                "Combien d'interventions d'administration (comptes, droits, paramétrages) avez-vous notées ?",
                "nombre",
                prerempli="journal_administration",
            ),
            q("usage_ent", "Comment jugez-vous l'usage pédagogique de l'ENT dans l'établissement ?", "echelle"),
        ],
    },
    {
        "titre": "Équipements et signalements",
        "description": "La disponibilité des équipements, en lien avec les services d'assistance.",
        "questions": [
            q(
                "signalements",
                "Combien de signalements avez-vous transmis aux services d'assistance ?",
                "nombre",
                prerempli="journal_equipement",
            ),
            q(
                "delai_resolution",
                "Les incidents signalés sont-ils résolus dans des délais satisfaisants ?",
                "echelle",
                aide="1 : jamais, 5 : toujours.",
            ),
            q(
                "etat_equipements",
                "Les équipements de l'établissement répondent-ils aux besoins pédagogiques ?",
                "choix_unique",
                options=["Tout à fait", "Plutôt", "Plutôt pas", "Pas du tout"],
            ),
            q("maintenance_hors_mission", "Vous a-t-on demandé d'assurer de la maintenance ?", "oui_non"),
        ],
    },
    {
        "titre": "Difficultés et reconnaissance",
        "description": "Ce qui a freiné votre mission, et comment elle est reconnue.",
        "questions": [
            q("difficultes", "Quelles difficultés avez-vous rencontrées ?", "choix_multiple", options=DIFFICULTES),
            q("difficulte_principale", "Précisez la difficulté principale, si vous le souhaitez.", "texte_long"),
            q(
                "reconnaissance_adaptee",
                "La reconnaissance de la mission (IMP ou allègement) vous paraît-elle adaptée ?",
                "echelle",
                aide="1 : pas du tout, 5 : tout à fait.",
            ),
            q(
                "poursuite_mission",
                "Souhaitez-vous poursuivre la mission l'an prochain ?",
                "choix_unique",
                options=["Oui", "Non", "Je ne sais pas encore"],
                obligatoire=True,
            ),
        ],
    },
    {
        "titre": "Formation et perspectives",
        "description": "Vos besoins de formation et les sujets à venir.",
        "questions": [
            q(
                "formations_suivies",
                "Combien de journées de formation avez-vous suivies cette année ?",
                "nombre",
            ),
            q(
                "formation_utile",
                "Les formations de la DANE vous ont-elles été utiles ?",
                "echelle",
                aide="1 : pas du tout, 5 : très utiles.",
            ),
            q(
                "besoins_formation",
                "Sur quels sujets souhaitez-vous être formé(e) ?",
                "choix_multiple",
                options=SUJETS,
            ),
            q(
                "usage_ia",
                "Des collègues utilisent-ils l'intelligence artificielle avec les élèves ?",
                "choix_unique",
                options=["Oui, souvent", "Oui, ponctuellement", "Non", "Je ne sais pas"],
            ),
            q(
                "cybersecurite_sensibilisation",
                "Avez-vous mené une action de sensibilisation à la cybersécurité ?",
                "oui_non",
            ),
            q("suggestions", "Vos suggestions à la DANE pour l'an prochain.", "texte_long"),
            q("bilan_annee", "En une phrase, votre bilan de l'année.", "texte_court", obligatoire=True),
        ],
    },
]


def nombre_de_questions():
    return sum(len(section["questions"]) for section in SECTIONS)
