// Pendant un envoi long (import), désactive le bouton et annonce l'attente aux lecteurs d'écran.
document.addEventListener("submit", function (evenement) {
  var formulaire = evenement.target;
  var message = formulaire.getAttribute("data-rupn-attente");
  if (!message) return;
  var zone = formulaire.querySelector(".rupn-attente");
  if (zone) {
    zone.textContent = message;
    zone.classList.remove("fr-hidden");
  }
  formulaire.querySelectorAll("button[type=submit]").forEach(function (bouton) {
    bouton.disabled = true;
  });
});

// Analyse ou import en arrière-plan : relit l'avancement chaque seconde, recharge la page à la fin.
document.querySelectorAll("[data-rupn-suivi]").forEach(function (bloc) {
  var barre = bloc.querySelector("progress");
  var etape = bloc.querySelector(".rupn-etape");
  var suivre = function () {
    fetch(bloc.getAttribute("data-rupn-suivi"), { headers: { Accept: "application/json" } })
      .then(function (reponse) { return reponse.json(); })
      .then(function (etat) {
        if (etat.termine) {
          window.location.reload();
          return;
        }
        barre.value = etat.avancement;
        barre.textContent = etat.avancement + " %";
        if (etape.textContent !== etat.etape) etape.textContent = etat.etape;
        window.setTimeout(suivre, 1000);
      })
      .catch(function () { window.setTimeout(suivre, 3000); });
  };
  window.setTimeout(suivre, 1000);
});

// Action de masse ou irréversible : le bouton demande confirmation avant d'envoyer le formulaire.
document.addEventListener("click", function (evenement) {
  var bouton = evenement.target.closest("[data-rupn-confirmer]");
  if (bouton && !window.confirm(bouton.getAttribute("data-rupn-confirmer"))) {
    evenement.preventDefault();
  }
});

// Une page revenue avec des erreurs de saisie place le focus sur le premier champ en erreur
// (son message lui est relié par aria-describedby : le lecteur d'écran le lit aussitôt).
var champEnErreur = document.querySelector(
  ".fr-input-group--error input, .fr-input-group--error textarea, .fr-select-group--error select, .fr-fieldset--error input"
);
if (champEnErreur) champEnErreur.focus();

// Bouton « Imprimer » d'un tableau de bord (la feuille de style d'impression masque menus, filtres et exports).
document.addEventListener("click", function (evenement) {
  if (evenement.target.closest("[data-rupn-imprimer]")) window.print();
});
