// Enquête de fin d'année : enregistrement automatique d'une étape.
// Le formulaire marqué data-rupn-enregistrement-auto="<id de la zone d'état>" part en arrière-plan
// (POST, Accept: application/json) trois secondes après la dernière modification, ou dès qu'on quitte
// un champ modifié ; la zone d'état (aria-live) annonce « Enregistré à HH:MM » ou ce qui n'a pas pu l'être.
// Sans JavaScript, les boutons « Enregistrer et continuer » et « Précédent » enregistrent l'étape.
(function () {
  var formulaire = document.querySelector("form[data-rupn-enregistrement-auto]");
  if (!formulaire || !window.fetch || !window.FormData) return;
  var zone = document.getElementById(formulaire.getAttribute("data-rupn-enregistrement-auto"));
  // getAttribute : la propriété `action` désignerait les boutons nommés « action ».
  var adresse = formulaire.getAttribute("action") || window.location.href;
  var DELAI = 3000;
  var minuterie = null;
  var modifie = false;
  var enCours = false;
  var aRefaire = false;
  var envoye = false;

  function annoncer(texte) {
    if (zone && zone.textContent !== texte) zone.textContent = texte;
  }

  function enregistrer() {
    window.clearTimeout(minuterie);
    minuterie = null;
    if (!modifie || envoye) return;
    if (enCours) {
      aRefaire = true;
      return;
    }
    modifie = false;
    enCours = true;
    annoncer("Enregistrement…");
    fetch(adresse, {
      method: "POST",
      body: new FormData(formulaire),
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    })
      .then(function (reponse) {
        return reponse.json().then(function (corps) {
          annoncer(corps.message);
        });
      })
      .catch(function () {
        modifie = true;
        annoncer(
          "Enregistrement automatique impossible pour l'instant : vos réponses seront enregistrées par le bouton « Enregistrer et continuer »."
        );
      })
      .then(function () {
        enCours = false;
        if (aRefaire) {
          aRefaire = false;
          enregistrer();
        }
      });
  }

  function programmer() {
    modifie = true;
    window.clearTimeout(minuterie);
    minuterie = window.setTimeout(enregistrer, DELAI);
  }

  formulaire.addEventListener("input", programmer);
  formulaire.addEventListener("change", programmer);
  formulaire.addEventListener("focusout", function () {
    if (modifie) enregistrer();
  });
  // L'envoi par un bouton enregistre tout : plus d'enregistrement automatique ensuite.
  formulaire.addEventListener("submit", function () {
    envoye = true;
    window.clearTimeout(minuterie);
  });
})();
