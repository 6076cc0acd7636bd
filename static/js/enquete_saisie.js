// Enquête de fin d'année : enregistrement automatique d'une étape.
// Le formulaire marqué data-rupn-enregistrement-auto="<id de la zone d'état>" part en arrière-plan
// (POST, Accept: application/json) trois secondes après la dernière modification, ou dès qu'on quitte
// un champ modifié ; la zone d'état (aria-live) annonce « Enregistré à HH:MM » ou ce qui n'a pas pu l'être.
// Les réponses refusées (corps.erreurs : {code: message}) sont signalées sous leur champ comme le rendu
// serveur (templates/enquetes/_question.html) ; celles qui sont corrigées perdent leur message.
// L'envoi déclenché par la sortie d'un champ ou de la page survit à la page (keepalive) ; tant qu'une
// modification n'est pas enregistrée, quitter la page demande confirmation (sauf par les boutons du
// formulaire, qui enregistrent tout). Un enregistrement encore en vol est annulé avant l'envoi par bouton.
// Sans JavaScript, les boutons « Enregistrer et continuer » et « Précédent » enregistrent l'étape.
(function () {
  var formulaire = document.querySelector("form[data-rupn-enregistrement-auto]");
  if (!formulaire || !window.fetch || !window.FormData) return;
  var zone = document.getElementById(formulaire.getAttribute("data-rupn-enregistrement-auto"));
  // getAttribute : la propriété `action` désignerait les boutons nommés « action ».
  var adresse = formulaire.getAttribute("action") || window.location.href;
  var DELAI = 3000;
  var minuterie = null;
  var modifie = false; // une modification pas encore envoyée
  var enCours = null; // l'AbortController de l'enregistrement en vol
  var aRefaire = false;
  var aRefaireKeepalive = false;
  var envoye = false; // le formulaire part par un bouton : plus d'enregistrement automatique
  var aCorriger = 0; // réponses refusées par le dernier enregistrement (non enregistrées)

  function annoncer(texte) {
    if (zone && zone.textContent !== texte) zone.textContent = texte;
  }

  // --- Erreurs au niveau du champ, comme templates/enquetes/_question.html ---

  function jetons(element, attribut) {
    var valeur = element.getAttribute(attribut);
    return valeur ? valeur.split(/\s+/).filter(Boolean) : [];
  }

  function ajouterJeton(element, attribut, jeton) {
    var liste = jetons(element, attribut);
    if (liste.indexOf(jeton) === -1) element.setAttribute(attribut, liste.concat(jeton).join(" "));
  }

  function retirerJeton(element, attribut, jeton) {
    var liste = jetons(element, attribut).filter(function (j) {
      return j !== jeton;
    });
    if (liste.length) element.setAttribute(attribut, liste.join(" "));
    else element.removeAttribute(attribut);
  }

  function signaler(code, message) {
    var champ = document.getElementById("q-" + code);
    if (!champ) return;
    var idErreur = "q-" + code + "-erreur";
    var erreur = document.getElementById(idErreur);
    if (champ.tagName === "FIELDSET") {
      champ.classList.add("fr-fieldset--error");
      ajouterJeton(champ, "aria-labelledby", idErreur);
      if (!erreur) {
        erreur = document.createElement("div");
        erreur.className = "fr-messages-group";
        erreur.id = idErreur;
        erreur.setAttribute("aria-live", "assertive");
        erreur.appendChild(document.createElement("p")).className = "fr-message fr-message--error";
        champ.appendChild(erreur);
      }
      erreur.firstElementChild.textContent = message;
    } else {
      var groupe = champ.closest(".fr-input-group") || champ.parentNode;
      groupe.classList.add("fr-input-group--error");
      champ.classList.add("fr-input--error");
      champ.setAttribute("aria-invalid", "true");
      ajouterJeton(champ, "aria-describedby", idErreur);
      if (!erreur) {
        erreur = document.createElement("p");
        erreur.className = "fr-error-text";
        erreur.id = idErreur;
        groupe.appendChild(erreur);
      }
      erreur.textContent = message;
    }
  }

  function effacer(code) {
    var champ = document.getElementById("q-" + code);
    if (!champ) return;
    var idErreur = "q-" + code + "-erreur";
    var erreur = document.getElementById(idErreur);
    if (erreur) erreur.parentNode.removeChild(erreur);
    if (champ.tagName === "FIELDSET") {
      champ.classList.remove("fr-fieldset--error");
      retirerJeton(champ, "aria-labelledby", idErreur);
    } else {
      var groupe = champ.closest(".fr-input-group");
      if (groupe) groupe.classList.remove("fr-input-group--error");
      champ.classList.remove("fr-input--error");
      champ.removeAttribute("aria-invalid");
      retirerJeton(champ, "aria-describedby", idErreur);
    }
  }

  function afficherErreurs(erreurs) {
    // L'enregistrement envoie toute l'étape : chaque question annoncée (champ caché « _questions ») a
    // soit une erreur, soit plus aucune.
    var codes = formulaire.querySelectorAll('input[type="hidden"][name="_questions"]');
    aCorriger = 0;
    for (var i = 0; i < codes.length; i++) {
      var code = codes[i].value;
      if (Object.prototype.hasOwnProperty.call(erreurs, code)) {
        signaler(code, erreurs[code]);
        aCorriger += 1;
      } else {
        effacer(code);
      }
    }
  }

  function messageDe(corps) {
    var message = corps.message || "";
    if (aCorriger && message.indexOf("à corriger") === -1) {
      message +=
        " " + (aCorriger === 1 ? "Une réponse à corriger." : aCorriger + " réponses à corriger.");
    }
    return message;
  }

  // --- Enregistrement ---

  function enregistrer(keepalive) {
    window.clearTimeout(minuterie);
    minuterie = null;
    if (!modifie || envoye) return;
    if (enCours) {
      aRefaire = true;
      aRefaireKeepalive = aRefaireKeepalive || !!keepalive;
      return;
    }
    modifie = false;
    var controle = window.AbortController ? new AbortController() : null;
    enCours = controle || true;
    annoncer("Enregistrement…");
    var options = {
      method: "POST",
      body: new FormData(formulaire),
      headers: { Accept: "application/json" },
      credentials: "same-origin",
      keepalive: !!keepalive,
    };
    if (controle) options.signal = controle.signal;
    fetch(adresse, options)
      .then(function (reponse) {
        return reponse.json().then(function (corps) {
          if (envoye) return;
          if (corps.enregistre && corps.erreurs) afficherErreurs(corps.erreurs);
          annoncer(messageDe(corps));
        });
      })
      .catch(function () {
        if (envoye) return; // annulé par l'envoi du formulaire, qui enregistre tout
        modifie = true;
        if (options.keepalive) {
          // keepalive est limité (64 ko en vol) : on réessaie tout de suite sans lui.
          aRefaire = true;
          aRefaireKeepalive = false;
          return;
        }
        annoncer(
          "Enregistrement automatique impossible pour l'instant : vos réponses seront enregistrées par le bouton « Enregistrer et continuer »."
        );
      })
      .then(function () {
        enCours = null;
        if (aRefaire) {
          var avecKeepalive = aRefaireKeepalive;
          aRefaire = aRefaireKeepalive = false;
          enregistrer(avecKeepalive);
        }
      });
  }

  function programmer() {
    modifie = true;
    window.clearTimeout(minuterie);
    minuterie = window.setTimeout(enregistrer, DELAI);
  }

  function estUnBoutonDuFormulaire(element) {
    return !!element && element.form === formulaire && element.type === "submit";
  }

  formulaire.addEventListener("input", programmer);
  formulaire.addEventListener("change", programmer);
  formulaire.addEventListener("focusout", function (evenement) {
    // Vers un bouton du formulaire : c'est lui qui enregistre, pas d'envoi croisé.
    if (modifie && !estUnBoutonDuFormulaire(evenement.relatedTarget)) enregistrer(true);
  });
  // L'envoi par un bouton enregistre tout : plus d'enregistrement automatique ensuite, et celui qui est en
  // vol est annulé pour ne pas arriver après lui.
  formulaire.addEventListener("submit", function () {
    envoye = true;
    window.clearTimeout(minuterie);
    if (enCours && enCours.abort) enCours.abort();
  });

  // Quitter la page (lien, onglet fermé) : ce qui n'est pas envoyé part tout de suite, et l'on demande
  // confirmation tant que ce n'est pas enregistré (ou qu'une réponse refusée reste à corriger).
  window.addEventListener("beforeunload", function (evenement) {
    if (envoye) return;
    enregistrer(true);
    if (modifie || enCours || aCorriger) {
      evenement.preventDefault();
      evenement.returnValue = "";
    }
  });
  window.addEventListener("pagehide", function () {
    enregistrer(true);
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") enregistrer(true);
  });
})();
