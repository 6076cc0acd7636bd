"""Construction de l'enquête et campagne, côté académie. La DANE écrit ; le correspondant (son département)
et le national lisent la liste, le détail, l'aperçu et les participations. Écritures : enquetes/construction.py.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from enquetes import construction, services
from enquetes.forms_construction import EnqueteForm, ParticipationFiltreForm, QuestionForm, SectionForm
from enquetes.models import Enquete, Participation, Question, Section
from missions.views.communs import en_nombre, parametres_sans_page, uuids
from rupn.comptes.acces import role_requis
from rupn.comptes.models import Role
from rupn.territoires.models import AnneeScolaire

lecture = role_requis(*Role.TYPES_ACADEMIQUES)
ecriture = role_requis(Role.Type.DANE)
PARTICIPATIONS_PAR_PAGE = 100


def get_enquete_for_user(request, uuid):
    """L'enquête si le rôle actif la laisse voir (son académie ; toutes pour le national), sinon 404."""
    return get_object_or_404(Enquete.objects.visible_to(request.user).select_related("academie", "annee"), uuid=uuid)


def _enquetes_visibles(request):
    return Enquete.objects.visible_to(request.user)


def get_section_for_user(request, pk):
    return get_object_or_404(
        Section.objects.filter(enquete__in=_enquetes_visibles(request)).select_related(
            "enquete__academie", "enquete__annee"
        ),
        pk=pk,
    )


def get_question_for_user(request, pk):
    return get_object_or_404(
        Question.objects.filter(enquete__in=_enquetes_visibles(request))
        .select_related("enquete__academie", "enquete__annee", "section")
        .annotate(nb_reponses=construction.nombre_de_reponses()),
        pk=pk,
    )


def _est_dane(request):
    return request.user.role_actif.type == Role.Type.DANE


def _erreurs_sur(formulaire, erreur):
    """Reporte l'erreur d'un service sur le formulaire : au champ qu'elle nomme, sinon en tête."""
    if hasattr(erreur, "error_dict"):
        for champ, liste in erreur.error_dict.items():
            formulaire.add_error(champ if champ in formulaire.fields else None, liste)
    else:
        formulaire.add_error(None, erreur)


def _enregistrer_et_afficher(request, formulaire, *, enregistrer, succes, ancre, gabarit, contexte):
    """Le déroulé commun des formulaires de section et de question : POST valide → `enregistrer(**données)`
    (service) ; réussite → message `succes(objet)` et retour à l'enquête sur l'ancre `ancre(objet)` ; sinon la
    page du formulaire, avec les erreurs du service reportées sur les champs (400)."""
    if request.method == "POST" and formulaire.is_valid():
        try:
            objet = enregistrer(**formulaire.cleaned_data)
        except ValidationError as erreur:
            _erreurs_sur(formulaire, erreur)
        else:
            messages.success(request, succes(objet))
            return redirect(f"{contexte['enquete'].get_absolute_url()}#{ancre(objet)}")
    return render(request, gabarit, {**contexte, "form": formulaire}, status=400 if formulaire.errors else 200)


def _message_d_erreur(erreur):
    return " ".join(erreur.messages)


# Liste et création


def _compte(filtre=None):
    participations = Participation.objects.filter(enquete=OuterRef("pk"), **(filtre or {})).order_by()
    return Coalesce(Subquery(participations.values("enquete").annotate(n=Count("pk")).values("n")), 0)


def _annees_a_creer(request, enquetes):
    """Pour la DANE : l'année en cours si son académie n'y a pas d'enquête, avec l'enquête dont elle peut
    partir (la plus récente des années précédentes, ou None)."""
    if not _est_dane(request):
        return []
    academie = request.user.role_actif.academie
    courante = AnneeScolaire.objects.courante()
    if courante is None or any(e.academie_id == academie.pk and e.annee_id == courante.pk for e in enquetes):
        return []
    return [(courante, construction.enquete_precedente(academie=academie, annee=courante))]


@lecture
def enquete_liste(request):
    enquetes = list(
        _enquetes_visibles(request)
        .select_related("academie", "annee")
        .annotate(
            nb_questions=Count("questions", distinct=True),
            nb_participations=_compte(),
            nb_envoyees=_compte({"statut": Participation.Statut.SOUMISE}),
        )
        .order_by("-annee__debut", "academie__nom")
    )
    for enquete in enquetes:
        enquete.etat = construction.etat_campagne(enquete)
    role = request.user.role_actif
    return render(
        request,
        "enquetes/construction/enquete_liste.html",
        {
            "enquetes": enquetes,
            "a_creer": _annees_a_creer(request, enquetes),
            "peut_modifier": _est_dane(request),
            "plusieurs_academies": role.est_national,
            # Le correspondant lit les effectifs de son seul département (page des participations).
            "montrer_effectifs": role.type != Role.Type.CORRESPONDANT,
        },
    )


@ecriture
def enquete_creer(request):
    """GET : le choix du point de départ (enquête de l'an dernier ou par défaut) ; POST : la création."""
    academie = request.user.role_actif.academie
    code = request.POST.get("annee") or request.GET.get("annee")
    annee = get_object_or_404(AnneeScolaire, code=code) if code else AnneeScolaire.objects.courante()
    if annee is None:
        messages.error(request, "Aucune année scolaire n'est en cours : l'enquête se crée pour une année.")
        return redirect("enquetes:enquete_liste")
    existante = Enquete.objects.filter(academie=academie, annee=annee).first()
    precedente = construction.enquete_precedente(academie=academie, annee=annee)
    if request.method == "POST" and existante is None:
        depuis = None
        if request.POST.get("depuis"):
            depuis = get_object_or_404(
                Enquete.objects.visible_to(request.user).filter(academie=academie),
                uuid__in=uuids([request.POST["depuis"]]),
            )
        try:
            enquete = services.enquete_creer(academie=academie, annee=annee, depuis=depuis)
        except ValidationError as erreur:
            messages.error(request, _message_d_erreur(erreur))
            return redirect("enquetes:enquete_liste")
        origine = f"de l'enquête {depuis.annee} (mêmes codes)" if depuis else "de l'enquête par défaut"
        messages.success(
            request,
            f"L'enquête {annee} est créée à partir {origine}. Relisez-la, fixez ses dates, puis lancez la campagne.",
        )
        return redirect(enquete)
    return render(
        request,
        "enquetes/construction/enquete_creer.html",
        {"annee": annee, "academie": academie, "existante": existante, "precedente": precedente},
    )


# Détail, modification, aperçu


def _sections_avec_questions(enquete, *, visibles_seulement=False):
    questions = Question.objects.order_by("ordre", "pk")
    if visibles_seulement:
        questions = questions.filter(masquee=False)
    else:
        questions = questions.annotate(nb_reponses=construction.nombre_de_reponses())
    return enquete.sections.order_by("ordre", "pk").prefetch_related(Prefetch("questions", queryset=questions))


def _effectifs(request, enquete):
    """Participations par état, dans le périmètre du rôle (le département du correspondant)."""
    participations = Participation.objects.visible_to(request.user).filter(enquete=enquete).order_by()
    par_statut = dict(participations.values_list("statut").annotate(n=Count("pk")))
    effectifs = [(statut, libelle, par_statut.get(statut, 0)) for statut, libelle in Participation.Statut.choices]
    total = sum(par_statut.values())
    envoyees = par_statut.get(Participation.Statut.SOUMISE, 0)
    return {
        "effectifs": effectifs,
        "total": total,
        "taux": round(100 * envoyees / total) if total else None,
        "invitees": participations.filter(invitee_le__isnull=False).count(),
    }


@lecture
def enquete_detail(request, uuid):
    enquete = get_enquete_for_user(request, uuid)
    peut_modifier = _est_dane(request)
    # Le correspondant ne voit que ses départements : pas les effectifs de toute l'académie.
    montrer_effectifs = request.user.role_actif.type != Role.Type.CORRESPONDANT
    return render(
        request,
        "enquetes/construction/enquete_detail.html",
        {
            "enquete": enquete,
            "etat": construction.etat_campagne(enquete),
            "sections": _sections_avec_questions(enquete),
            "participations": _effectifs(request, enquete),
            "peut_modifier": peut_modifier,
            "peut_lancer": peut_modifier and not enquete.lancee,
            "montrer_effectifs": montrer_effectifs,
            "a_inviter": (
                services.designations_participantes(enquete).count()
                if montrer_effectifs and not enquete.lancee
                else None
            ),
        },
    )


@ecriture
def enquete_modifier(request, uuid):
    enquete = get_enquete_for_user(request, uuid)
    formulaire = EnqueteForm(request.POST if request.method == "POST" else None, enquete=enquete)
    if request.method == "POST" and formulaire.is_valid():
        try:
            construction.enquete_modifier(enquete=enquete, **formulaire.cleaned_data)
        except ValidationError as erreur:
            _erreurs_sur(formulaire, erreur)
        else:
            messages.success(request, "L'enquête est enregistrée.")
            return redirect(enquete)
    return render(
        request,
        "enquetes/construction/enquete_modifier.html",
        {"enquete": enquete, "form": formulaire},
        status=400 if formulaire.errors else 200,
    )


@lecture
def enquete_apercu(request, uuid):
    enquete = get_enquete_for_user(request, uuid)
    sections = _sections_avec_questions(enquete, visibles_seulement=True)
    return render(
        request,
        "enquetes/construction/enquete_apercu.html",
        {"enquete": enquete, "sections": [section for section in sections if section.questions.all()]},
    )


# Sections


@ecriture
def section_creer(request, uuid):
    enquete = get_enquete_for_user(request, uuid)
    return _enregistrer_et_afficher(
        request,
        SectionForm(request.POST if request.method == "POST" else None),
        enregistrer=lambda **donnees: construction.section_creer(enquete=enquete, **donnees),
        succes=lambda section: f"La section « {section.titre} » est ajoutée ; ajoutez-y des questions.",
        ancre=lambda section: f"section-{section.pk}",
        gabarit="enquetes/construction/section_formulaire.html",
        contexte={"enquete": enquete, "section": None},
    )


@ecriture
def section_modifier(request, pk):
    section = get_section_for_user(request, pk)
    enquete = section.enquete
    return _enregistrer_et_afficher(
        request,
        SectionForm(request.POST if request.method == "POST" else None, section=section),
        enregistrer=lambda **donnees: construction.section_modifier(section=section, **donnees),
        succes=lambda section: f"La section « {section.titre} » est enregistrée.",
        ancre=lambda section: f"section-{section.pk}",
        gabarit="enquetes/construction/section_formulaire.html",
        contexte={"enquete": enquete, "section": section},
    )


# Questions


def _section_demandee(request, enquete):
    try:
        return enquete.sections.filter(pk=int(request.GET.get("section", ""))).first()
    except ValueError:
        return None


@ecriture
def question_creer(request, uuid):
    enquete = get_enquete_for_user(request, uuid)
    if not enquete.sections.exists():
        messages.error(request, "Ajoutez d'abord une section : chaque question appartient à une section.")
        return redirect("enquetes:section_creer", uuid=enquete.uuid)
    formulaire = QuestionForm(
        request.POST if request.method == "POST" else None, enquete=enquete, section=_section_demandee(request, enquete)
    )
    return _enregistrer_et_afficher(
        request,
        formulaire,
        enregistrer=lambda **donnees: construction.question_creer(enquete=enquete, **donnees),
        succes=lambda question: f"La question « {question.code} » est ajoutée.",
        ancre=lambda question: f"question-{question.pk}",
        gabarit="enquetes/construction/question_formulaire.html",
        contexte={"enquete": enquete, "question": None},
    )


@ecriture
def question_modifier(request, pk):
    question = get_question_for_user(request, pk)
    enquete = question.enquete
    repondus = construction.choix_repondus(question) if question.nb_reponses else set()
    formulaire = QuestionForm(
        request.POST if request.method == "POST" else None,
        enquete=enquete,
        question=question,
        nb_reponses=question.nb_reponses,
        choix_repondus=repondus,
    )
    return _enregistrer_et_afficher(
        request,
        formulaire,
        enregistrer=lambda **donnees: construction.question_modifier(question=question, **donnees),
        succes=lambda question: f"La question « {question.code} » est enregistrée.",
        ancre=lambda question: f"question-{question.pk}",
        gabarit="enquetes/construction/question_formulaire.html",
        contexte={"enquete": enquete, "question": question},
    )


@ecriture
def question_supprimer(request, pk):
    """GET : confirmation (ou, si des réponses existent, la proposition de masquer) ; POST : suppression, ou
    masquage avec `action=masquer`."""
    question = get_question_for_user(request, pk)
    enquete = question.enquete
    if request.method == "POST":
        if request.POST.get("action") == "masquer":
            construction.question_masquer(question=question)
            messages.success(
                request, f"La question « {question.code} » est masquée : elle n'est plus posée, ses réponses restent."
            )
            return redirect(f"{enquete.get_absolute_url()}#question-{question.pk}")
        try:
            construction.question_supprimer(question=question)
        except ValidationError as erreur:
            messages.error(request, _message_d_erreur(erreur))
            return redirect("enquetes:question_supprimer", pk=question.pk)
        messages.success(request, f"La question « {question.code} » est supprimée.")
        return redirect(enquete)
    return render(request, "enquetes/construction/question_supprimer.html", {"enquete": enquete, "question": question})


# Campagne


@ecriture
def campagne_lancer(request, uuid):
    enquete = get_enquete_for_user(request, uuid)
    if request.method == "POST":
        try:
            envois = construction.campagne_lancer(enquete=enquete, url_absolue=request.build_absolute_uri)
        except ValidationError as erreur:
            messages.error(request, f"La campagne n'est pas lancée. {_message_d_erreur(erreur)}")
            return redirect("enquetes:campagne_lancer", uuid=enquete.uuid)
        if envois.deja_lancee:
            messages.info(request, "La campagne était déjà lancée : aucune invitation de plus n'est partie.")
        else:
            texte = (
                f"Campagne lancée : {en_nombre(len(envois.creees), 'participation créée', 'participations créées')}, "
                f"{en_nombre(len(envois.invitees), 'invitation envoyée', 'invitations envoyées')}."
            )
            if envois.sans_adresse:
                texte += f" {len(envois.sans_adresse)} sans adresse ou au compte désactivé : pas de courriel."
            messages.success(request, texte)
        return redirect(enquete)
    return render(
        request,
        "enquetes/construction/campagne_lancer.html",
        {
            "enquete": enquete,
            "etat": construction.etat_campagne(enquete),
            "a_inviter": services.designations_participantes(enquete).count(),
            "nb_questions": enquete.questions.filter(masquee=False).count(),
        },
    )


def _participations_filtrees(request, enquete, donnees):
    visibles = Participation.objects.visible_to(request.user).filter(enquete=enquete)
    formulaire = ParticipationFiltreForm(donnees, participations=visibles)
    return formulaire, formulaire.filtrer(visibles)


@lecture
def participation_liste(request, uuid):
    enquete = get_enquete_for_user(request, uuid)
    formulaire, participations = _participations_filtrees(request, enquete, request.GET)
    participations = participations.select_related(
        "designation__agent", "designation__etablissement__departement"
    ).order_by("designation__etablissement__nom", "designation__agent__last_name", "pk")
    page = Paginator(participations, PARTICIPATIONS_PAR_PAGE).get_page(request.GET.get("page"))
    est_dane = _est_dane(request)
    return render(
        request,
        "enquetes/construction/participation_liste.html",
        {
            "enquete": enquete,
            "etat": construction.etat_campagne(enquete),
            "form": formulaire,
            "page": page,
            "parametres": parametres_sans_page(formulaire.data),
            "peut_relancer": est_dane and enquete.ouverte(),
            "a_relancer": construction.non_repondants(participations).count() if est_dane else 0,
            "peut_rouvrir": est_dane and enquete.lancee,
            "close": enquete.close(),
        },
    )


def _retour_liste(enquete, request):
    liste = reverse("enquetes:participation_liste", args=[enquete.uuid])
    return redirect(f"{liste}?{request.GET.urlencode()}" if request.GET else liste)


@require_POST
@ecriture
def participations_relancer(request, uuid):
    """Relance les non-répondants cochés (`participations`) ou, avec `tout=1`, ceux du filtre (les filtres
    voyagent dans l'adresse du formulaire). La confirmation est demandée sur le bouton."""
    enquete = get_enquete_for_user(request, uuid)
    if request.POST.get("tout") == "1":
        _, choisies = _participations_filtrees(request, enquete, request.GET)
        choisies = construction.non_repondants(choisies)
    else:
        choisies = Participation.objects.visible_to(request.user).filter(
            enquete=enquete, uuid__in=uuids(request.POST.getlist("participations"))
        )
    choisies = list(choisies.order_by().only("pk", "statut"))
    if not choisies:
        messages.error(request, "Aucune participation n'a été choisie : personne n'a été relancé.")
        return _retour_liste(enquete, request)
    try:
        envois = construction.participations_relancer(
            enquete=enquete, participations=choisies, url_absolue=request.build_absolute_uri
        )
    except ValidationError as erreur:
        messages.error(request, _message_d_erreur(erreur))
        return _retour_liste(enquete, request)
    texte = f"{en_nombre(len(envois.relancees), 'RUPN relancé', 'RUPN relancés')}."
    if envoyees := sum(1 for p in choisies if p.statut == Participation.Statut.SOUMISE):
        texte += (
            f" {en_nombre(envoyees, 'participation déjà envoyée', 'participations déjà envoyées')} : pas de relance."
        )
    if envois.sans_adresse:
        texte += f" {len(envois.sans_adresse)} sans adresse ou au compte désactivé : pas de courriel."
    messages.success(request, texte)
    return _retour_liste(enquete, request)


@ecriture
def participation_rouvrir(request, uuid):
    participation = get_object_or_404(
        Participation.objects.visible_to(request.user).select_related(
            "enquete__academie", "enquete__annee", "designation__agent", "designation__etablissement"
        ),
        uuid=uuid,
    )
    enquete = participation.enquete
    if request.method == "POST":
        try:
            construction.participation_rouvrir(participation=participation, url_absolue=request.build_absolute_uri)
        except ValidationError as erreur:
            messages.error(request, _message_d_erreur(erreur))
        else:
            messages.success(
                request,
                f"La participation de {participation.designation.agent} est rouverte jusqu'à son prochain envoi ; "
                "un courriel l'en avertit.",
            )
        return redirect("enquetes:participation_liste", uuid=enquete.uuid)
    return render(
        request,
        "enquetes/construction/participation_rouvrir.html",
        {
            "enquete": enquete,
            "participation": participation,
            "peut_rouvrir": construction.peut_rouvrir(participation),
        },
    )
