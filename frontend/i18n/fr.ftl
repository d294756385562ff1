# Les textes de la page en français. Une ligne par message : `id = texte`.
# `{ $nom }` est une valeur que la page remplit : la garder telle quelle.
# Les dates, heures et durées viennent du navigateur : ne jamais en écrire ici.
# The language picker: this language's own name, and the picker's label.
language-name = Français
language-label = Langue

# Opened without Chaster (lib.rs)
no-token-title = Ouvrez cette page depuis Chaster
no-token-text = Cette page appartient à l'extension Sesame opener. Elle ne fonctionne que lorsque Chaster l'ouvre : allez sur votre verrou sur chaster.app et ouvrez l'extension depuis celui-ci. Les détenteurs de clé peuvent aussi utiliser le
no-token-dashboard-link = tableau de bord du détenteur de clé.
no-token-details = Détails :

# Errors (ui.rs)
error-timed-out-title = Cette page a expiré
error-timed-out-hint = Votre verrou et votre boîte ne sont pas concernés. Pour continuer, fermez cette page et rouvrez l'extension depuis votre verrou dans Chaster.
error-forbidden-title = Non autorisé
error-not-found-title = Introuvable
error-conflict-title = Impossible pour le moment
error-invalid-title = Vérifiez ce que vous avez saisi
error-unavailable-title = Pas de réponse pour le moment
error-rate-limited-title = Trop de requêtes
error-device-title = La boîte ne l'a pas fait
error-internal-title = Une erreur s'est produite
retry-now = Vous pouvez réessayer maintenant.
retry-in = Vous pourrez réessayer { $when }.
try-again = Réessayer

# The server's errors, by their `reason` (server/src/error.rs, server/src/sesame/error.rs)
error-missing-token = Cette page n'a pas de jeton de session Chaster. Ouvrez-la depuis l'extension dans Chaster.
error-session-expired = Cette session a expiré. Rouvrez l'extension depuis Chaster.
error-not-found = Il n'y a rien ici.
error-upstream-unavailable = { $service } ne répond pas pour le moment. Réessayez dans quelques secondes.
error-upstream-busy = { $service } est occupé pour le moment.
error-too-many-requests = Trop de requêtes depuis cette page.
error-too-large = Cette requête est trop volumineuse pour le serveur. Rechargez la page et réessayez.
error-internal = Une erreur s'est produite de notre côté. Veuillez réessayer.
error-box-busy = Le Sesame est occupé par une autre requête (l'application Sesame est-elle ouverte sur un téléphone ?).
error-box-low-battery = Le Sesame refuse de bouger car ses piles sont faibles ({ $percent } %). Remplacez les piles, puis réessayez.
error-box-low-battery-unknown = Le Sesame refuse de bouger car ses piles sont faibles. Remplacez les piles, puis réessayez.
error-box-offline = Le Sesame ou son hub est hors ligne, la commande n'a donc pas été exécutée. Vérifiez l'alimentation et le Wi-Fi du hub.
error-box-offline-since = Le Sesame ou son hub est hors ligne, la commande n'a donc pas été exécutée. Dernier signe de vie le { $last_update_at }. Vérifiez l'alimentation et le Wi-Fi du hub.
error-api-key-throttled = CANDY HOUSE limite les requêtes pour cette clé d'API.
error-quota-used-up = Le quota mensuel CANDY HOUSE de la clé d'API de cette boîte est épuisé : l'ouvreur ne peut plus joindre la boîte par Internet avant le changement de mois (heure du Japon). Nous réessayons une fois par jour. Si le porteur vient de souscrire une offre CANDY HOUSE payante, « Réessayer maintenant » vérifie tout de suite. Pour récupérer la clé sans nous : ouvrez la boîte avec l'application Sesame en Bluetooth, ou utilisez la clé de secours.
error-quota-reserve-only = Les requêtes CANDY HOUSE de ce mois sont presque épuisées ; le reste est gardé pour ouvrir la boîte, son état n'est donc plus relu avant le changement de mois. Ouvrir et verrouiller fonctionnent toujours.
error-api-key-banned = CANDY HOUSE a bloqué les requêtes de cette clé d'API pour cause de trop nombreuses requêtes. Nous avons cessé de l'appeler ; réessayez dans { $minutes } min.
error-bad-credentials = CANDY HOUSE a refusé la clé d'API : elle est fausse, a été supprimée, ou son offre ne le permet plus. Vérifiez la clé dans le tableau de bord CANDY HOUSE et connectez de nouveau la boîte.
error-integration-disabled = L'intégration cloud est désactivée pour ce Sesame. Activez-la dans l'application Sesame (Sesame > Modifier les réglages > Intégration).
error-box-unknown = CANDY HOUSE ne connaît pas ce Sesame pour cette clé d'API. Vérifiez l'identifiant de l'appareil, et que la clé appartient au propriétaire du Sesame.
error-box-request-refused = CANDY HOUSE a refusé la requête comme invalide. Vérifiez l'identifiant de l'appareil et connectez de nouveau la boîte.
error-command-failed = Le Sesame n'a pas pu exécuter la commande ({ $detail }). Vérifiez la boîte et réessayez.
error-candy-house-timeout = CANDY HOUSE n'a pas répondu à temps. La boîte a peut-être bougé, ou non ; vérifiez son état avant de réessayer.
error-candy-house-failed = Le service de CANDY HOUSE a eu un problème. Réessayez dans une minute.
error-lock-not-supported = Ce SESAME Bike ne peut être que déverrouillé à distance ; il ne peut pas être verrouillé d'ici. Le porteur le verrouille à la main.

# The state card on top of the main page (state/)
state-connect-action = Connecter votre boîte
state-open-action = Ouvrir la boîte maintenant
state-retry-quota-action = Réessayer maintenant
state-lock-action = Verrouiller la boîte
state-lock-now-action = Verrouiller la boîte maintenant
state-key-anyway-wearer = Vous pouvez quand même récupérer votre clé : ouvrez la boîte avec l'application Sesame en Bluetooth (en tant que propriétaire de la boîte), ou utilisez votre clé de secours.
state-key-anyway-keyholder = Le porteur peut quand même récupérer la clé : avec l'application Sesame en Bluetooth en tant que propriétaire de la boîte, ou avec sa clé de secours.
state-no-box-title = Aucune boîte connectée
state-no-box-yet-title = Aucune boîte connectée pour l'instant
state-no-box-wearer = Connectez votre Sesame : elle s'ouvrira alors d'elle-même à la fin de votre verrou.
state-no-box-keyholder = Demandez au porteur de connecter son Sesame depuis cette page : d'ici là, rien ne s'ouvre à la fin du verrou.
state-ended-on = Terminé le { $date }
state-ended-open-wearer = Votre verrou est terminé. Votre boîte est ouverte : prenez votre clé
state-ended-open-keyholder = Le verrou est terminé. La boîte est ouverte : le porteur peut prendre sa clé
state-deserted-opens-on = La boîte s'ouvre le { $date }
state-deserted-opens-later = La boîte s'ouvre 7 jours après l'abandon du verrou
state-deserted-text = Le verrou a été abandonné. Chaster rend la combinaison d'un verrou abandonné après 7 jours ; la boîte reste fermée jusque-là et s'ouvre d'elle-même.
state-waiting-title = En attente de l'état du verrou selon Chaster
state-waiting-text = Rien ne bouge la boîte d'ici là.
state-ended-quota-title = La boîte s'ouvrira dès que CANDY HOUSE acceptera de nouveau les requêtes
state-ended-offline-title = La boîte s'ouvrira dès que le hub sera de retour
state-ended-offline-text = Le hub ne répond pas. L'ouvreur réessaie jusqu'à ce que la boîte soit ouverte ; vérifiez en attendant l'alimentation et le Wi-Fi du hub.
state-ended-jammed-title = La boîte est bloquée : elle n'a pas pu être ouverte
state-ended-jammed-text = Le loquet s'est arrêté entre verrouillé et déverrouillé. L'ouvreur réessaie ; tourner le loquet à la main ou dans l'application Sesame le libère.
state-ended-opening-wearer = Votre verrou est terminé. Votre boîte est en cours d'ouverture
state-ended-opening-keyholder = Le verrou est terminé. La boîte est en cours d'ouverture
state-ended-opening-text = L'ouvreur réessaie jusqu'à ce que la boîte soit ouverte.
state-last-seen = Dernier signe de vie
state-quota-title = Quota mensuel CANDY HOUSE épuisé
state-unreachable-title = Boîte injoignable
state-unreachable-text = Le hub ne répond pas : la boîte ne peut être ni ouverte ni verrouillée d'ici. Vérifiez l'alimentation et le Wi-Fi du hub.
state-hygiene-late-title = L'ouverture d'hygiène est terminée : verrouillez la boîte maintenant
state-hygiene-late-wearer = Le délai pour la reverrouiller a pris fin le { $date }. Verrouillez-la maintenant pour limiter la pénalité.
state-hygiene-late-keyholder = Le porteur aurait dû reverrouiller la boîte avant le { $date }.
state-hygiene-title = Ouverture d'hygiène en cours
state-hygiene-wearer = Reverrouillez la boîte avant la fin du temps imparti.
state-hygiene-keyholder = Le porteur reverrouille la boîte avant la fin du temps imparti.
state-time-left-to-relock = Temps restant pour reverrouiller
state-jammed-title = Boîte bloquée
state-jammed-text = Le loquet s'est arrêté entre verrouillé et déverrouillé. Tournez-le complètement à la main ou dans l'application Sesame, puis vérifiez la boîte ici.
state-opened-by-keyholder-wearer = Votre détenteur de clé a ouvert la boîte
state-opened-by-keyholder-keyholder = Vous avez ouvert la boîte
state-open-since = Ouverte depuis le { $date }.
state-open-unexpected-title = La boîte est ouverte pendant le verrou
state-open-unexpected-text = Personne ne l'a ouverte depuis cette page ou le tableau de bord. Reverrouillez-la.
state-locked-title-wearer = Votre boîte est verrouillée
state-locked-title-keyholder = La boîte est verrouillée
state-locked-text-wearer = Elle s'ouvre d'elle-même à la fin de votre verrou.
state-locked-text-keyholder = Elle s'ouvre d'elle-même à la fin du verrou.
state-guaranteed-release = Libération garantie au plus tard le { $date }.

# The box connect form (device/connect.rs, device/form.rs): its messages go here, as `connect-…`.
