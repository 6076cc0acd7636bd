"""La grille de maturité numérique proposée par défaut (d'après le SCHEMATIC) : cinq domaines, trois niveaux
(1 : conditions minimales, 2 : conditions de réussite, 3 : conditions avancées), trois ou quatre items par niveau.

Forme : une liste de domaines (code, titre, items) ; un item est (code, niveau, libellé). Les codes sont stables :
ils relient les positionnements d'une année à l'autre, même quand la grille change de version."""

DOMAINES = [
    (
        "pilotage",
        "Pilotage, impulsion et organisation",
        [
            ("pilotage-projet", 1, "Le numérique est inscrit dans le projet d'établissement"),
            ("pilotage-rupn", 1, "Un référent pour les usages pédagogiques du numérique (RUPN) est identifié"),
            ("pilotage-commission", 1, "Une commission numérique se réunit au moins une fois par an"),
            ("pilotage-charte", 1, "Une charte d'usages du numérique est adoptée"),
            ("pilotage-savoir-vivre", 2, "Une charte de savoir-vivre numérique est connue des élèves"),
            ("pilotage-reglement", 2, "Le règlement intérieur encadre l'usage des outils mobiles"),
            (
                "pilotage-familles",
                2,
                "La communication avec les familles passe par les outils numériques de l'établissement",
            ),
            ("pilotage-commission-elargie", 3, "La commission numérique est élargie aux élèves et aux parents"),
            ("pilotage-bilan", 3, "Un bilan annuel des usages du numérique est présenté au conseil d'administration"),
            (
                "pilotage-partenariats",
                3,
                "L'établissement s'inscrit dans des partenariats ou projets numériques extérieurs",
            ),
        ],
    ),
    (
        "pratiques",
        "Pratiques éducatives et pédagogiques",
        [
            ("pratiques-ent", 1, "Les enseignants utilisent l'ENT (cahier de textes, ressources, messagerie)"),
            ("pratiques-emi", 1, "L'éducation aux médias et à l'information est mise en œuvre"),
            ("pratiques-pix", 1, "Les compétences numériques des élèves sont évaluées (Pix)"),
            ("pratiques-disciplines", 2, "Le numérique est utilisé dans la plupart des disciplines"),
            ("pratiques-differenciation", 2, "Le numérique sert la différenciation et l'inclusion"),
            ("pratiques-collaboratif", 2, "Les élèves produisent et collaborent avec des outils numériques"),
            ("pratiques-projets", 3, "Des projets pédagogiques numériques interdisciplinaires sont menés"),
            ("pratiques-innovation", 3, "Des pratiques innovantes sont expérimentées et partagées"),
            ("pratiques-evaluation", 3, "L'effet des usages du numérique sur les apprentissages est évalué"),
        ],
    ),
    (
        "formation",
        "Formation",
        [
            ("formation-besoins", 1, "Les besoins de formation au numérique des personnels sont recensés"),
            ("formation-nouveaux", 1, "Les nouveaux personnels sont accompagnés dans la prise en main des outils"),
            ("formation-pix", 1, "Les personnels connaissent Pix et ses parcours"),
            ("formation-plan", 2, "Des formations au numérique sont organisées dans l'établissement"),
            ("formation-pairs", 2, "Le RUPN anime des temps d'échange entre pairs"),
            ("formation-m-magistere", 2, "Les personnels suivent des parcours de formation à distance"),
            (
                "formation-certification",
                3,
                "Des personnels obtiennent une certification de leurs compétences numériques",
            ),
            ("formation-essaimage", 3, "L'établissement partage ses pratiques au-delà de ses murs (bassin, académie)"),
            ("formation-parents", 3, "Des actions de sensibilisation au numérique sont proposées aux parents"),
        ],
    ),
    (
        "ressources",
        "Ressources",
        [
            ("ressources-gar", 1, "Les ressources numériques sont accessibles par le GAR"),
            ("ressources-cdi", 1, "Le CDI propose des ressources numériques"),
            ("ressources-recensement", 1, "Les ressources numériques disponibles sont recensées et connues"),
            ("ressources-manuels", 2, "Des manuels numériques sont utilisés dans plusieurs disciplines"),
            ("ressources-mutualisation", 2, "Les ressources produites sont mutualisées entre enseignants"),
            ("ressources-droits", 2, "Le droit d'auteur et les licences des ressources sont respectés"),
            ("ressources-politique", 3, "Une politique d'acquisition des ressources numériques est définie"),
            ("ressources-usages", 3, "L'usage des ressources numériques est suivi et analysé"),
            ("ressources-libres", 3, "Des ressources libres sont produites et publiées"),
        ],
    ),
    (
        "infrastructure",
        "Infrastructure réseau et équipement",
        [
            ("infrastructure-reseau", 1, "Le réseau couvre les salles d'enseignement"),
            ("infrastructure-postes", 1, "Les salles disposent d'un poste et d'un moyen de projection"),
            ("infrastructure-maintenance", 1, "La maintenance des équipements est organisée"),
            ("infrastructure-wifi", 2, "Un accès sans fil sécurisé est disponible pour les usages pédagogiques"),
            ("infrastructure-mobiles", 2, "Des équipements mobiles sont disponibles pour les classes"),
            ("infrastructure-plan", 2, "Un plan d'équipement est établi avec la collectivité"),
            ("infrastructure-individuel", 3, "Les élèves disposent d'un équipement individuel ou en nombre suffisant"),
            ("infrastructure-securite", 3, "La sécurité du système d'information est auditée"),
            ("infrastructure-renouvellement", 3, "Le renouvellement des équipements est planifié"),
        ],
    ),
]
