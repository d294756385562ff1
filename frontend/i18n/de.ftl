# Die Texte der Seite auf Deutsch. Eine Zeile je Meldung: `id = Text`.
# `{ $name }` ist ein Wert, den die Seite einsetzt: so lassen, wie er ist.
# Daten, Uhrzeiten und Dauern kommen vom Browser: hier nie eines schreiben.
# The language picker: this language's own name, and the picker's label.
language-name = Deutsch
language-label = Sprache

# Opened without Chaster (lib.rs)
no-token-title = Öffne diese Seite aus Chaster
no-token-text = Diese Seite gehört zur Erweiterung Sesame opener. Sie funktioniert nur, wenn Chaster sie öffnet: Geh auf chaster.app zu deinem Lock und öffne die Erweiterung von dort. Keyholder können auch das
no-token-dashboard-link = Keyholder-Dashboard nutzen.
no-token-details = Details:

# Errors (ui.rs)
error-timed-out-title = Diese Seite ist abgelaufen
error-timed-out-hint = Dein Lock und deine Box sind davon nicht betroffen. Um weiterzumachen, schließe diese Seite und öffne die Erweiterung erneut aus deinem Lock in Chaster.
error-forbidden-title = Nicht erlaubt
error-not-found-title = Nicht gefunden
error-conflict-title = Gerade nicht möglich
error-invalid-title = Bitte prüfe deine Eingaben
error-unavailable-title = Gerade keine Antwort
error-rate-limited-title = Zu viele Anfragen
error-device-title = Die Box hat es nicht getan
error-internal-title = Etwas ist schiefgelaufen
retry-now = Du kannst es jetzt erneut versuchen.
retry-in = Du kannst es { $when } erneut versuchen.
try-again = Erneut versuchen

# The server's errors, by their `reason` (server/src/error.rs, server/src/sesame/error.rs)
error-missing-token = Diese Seite hat kein Chaster-Sitzungstoken. Öffne sie aus der Erweiterung in Chaster.
error-session-expired = Diese Sitzung ist abgelaufen. Öffne die Erweiterung erneut aus Chaster.
error-not-found = Hier ist nichts.
error-upstream-unavailable = { $service } antwortet gerade nicht. Bitte versuche es in ein paar Sekunden erneut.
error-upstream-busy = { $service } ist gerade ausgelastet.
error-too-many-requests = Zu viele Anfragen von dieser Seite.
error-too-large = Diese Anfrage ist zu groß für den Server. Lade die Seite neu und versuche es erneut.
error-internal = Bei uns ist etwas schiefgelaufen. Bitte versuche es erneut.
error-box-busy = Die Sesame ist mit einer anderen Anfrage beschäftigt (ist die Sesame-App auf einem Handy offen?).
error-box-low-battery = Die Sesame bewegt sich nicht, weil ihre Batterien schwach sind ({ $percent } %). Tausche die Batterien und versuche es erneut.
error-box-low-battery-unknown = Die Sesame bewegt sich nicht, weil ihre Batterien schwach sind. Tausche die Batterien und versuche es erneut.
error-box-offline = Die Sesame oder ihr Hub ist offline, daher wurde der Befehl nicht ausgeführt. Prüfe Strom und WLAN des Hubs.
error-box-offline-since = Die Sesame oder ihr Hub ist offline, daher wurde der Befehl nicht ausgeführt. Letzte Meldung am { $last_update_at }. Prüfe Strom und WLAN des Hubs.
error-api-key-throttled = CANDY HOUSE begrenzt die Anfragen für diesen API-Schlüssel.
error-quota-used-up = Das monatliche CANDY-HOUSE-Kontingent des API-Schlüssels dieser Box ist aufgebraucht, daher erreicht der Öffner die Box bis zum Monatswechsel (japanische Zeit) nicht über das Internet. Wir versuchen es einmal am Tag. Hat der Träger gerade einen bezahlten CANDY-HOUSE-Tarif gekauft, prüft „Jetzt erneut versuchen“ sofort. Den Schlüssel ohne uns bekommen: Öffne die Box mit der Sesame-App über Bluetooth oder nimm den Ersatzschlüssel.
error-quota-reserve-only = Die CANDY-HOUSE-Anfragen dieses Monats sind fast aufgebraucht; der Rest ist für das Öffnen der Box reserviert, daher wird ihr Status bis zum Monatswechsel nicht mehr gelesen. Öffnen und Verriegeln funktionieren weiterhin.
error-api-key-banned = CANDY HOUSE hat Anfragen mit diesem API-Schlüssel wegen zu vieler Anfragen gesperrt. Wir rufen es nicht mehr auf; versuche es in { $minutes } Min. erneut.
error-bad-credentials = CANDY HOUSE hat den API-Schlüssel abgelehnt: Er ist falsch, wurde gelöscht oder sein Tarif erlaubt das nicht mehr. Prüfe den Schlüssel im CANDY-HOUSE-Dashboard und verbinde die Box erneut.
error-integration-disabled = Die Cloud-Integration ist für diese Sesame ausgeschaltet. Schalte sie in der Sesame-App ein (Sesame > Einstellungen ändern > Integration).
error-box-unknown = CANDY HOUSE kennt diese Sesame für diesen API-Schlüssel nicht. Prüfe die Geräte-ID und dass der Schlüssel dem Besitzer der Sesame gehört.
error-box-request-refused = CANDY HOUSE hat die Anfrage als ungültig abgelehnt. Prüfe die Geräte-ID und verbinde die Box erneut.
error-command-failed = Die Sesame konnte den Befehl nicht ausführen ({ $detail }). Prüfe die Box und versuche es erneut.
error-candy-house-timeout = CANDY HOUSE hat nicht rechtzeitig geantwortet. Die Box hat sich vielleicht bewegt, vielleicht nicht; prüfe ihren Status, bevor du es erneut versuchst.
error-candy-house-failed = Der Dienst von CANDY HOUSE hatte ein Problem. Versuche es in einer Minute erneut.
error-lock-not-supported = Dieses SESAME Bike lässt sich aus der Ferne nur entriegeln, nicht verriegeln. Der Träger verriegelt es von Hand.

# The state card on top of the main page (state/)
state-connect-action = Box verbinden
state-open-action = Box jetzt öffnen
state-retry-quota-action = Jetzt erneut versuchen
state-lock-action = Box verriegeln
state-lock-now-action = Box jetzt verriegeln
state-key-anyway-wearer = Du kommst trotzdem an deinen Schlüssel: Öffne die Box mit der Sesame-App über Bluetooth (als Besitzer der Box) oder nimm deinen Ersatzschlüssel.
state-key-anyway-keyholder = Der Träger kommt trotzdem an den Schlüssel: mit der Sesame-App über Bluetooth als Besitzer der Box oder mit seinem Ersatzschlüssel.
state-no-box-title = Keine Box verbunden
state-no-box-yet-title = Noch keine Box verbunden
state-no-box-wearer = Verbinde deine Sesame: Dann öffnet sie sich von selbst, wenn dein Lock endet.
state-no-box-keyholder = Bitte den Träger, seine Sesame auf dieser Seite zu verbinden: Bis dahin öffnet sich nichts, wenn der Lock endet.
state-ended-on = Beendet am { $date }
state-ended-open-wearer = Dein Lock ist beendet. Deine Box ist offen: Nimm deinen Schlüssel
state-ended-open-keyholder = Der Lock ist beendet. Die Box ist offen: Der Träger kann seinen Schlüssel nehmen
state-deserted-opens-on = Die Box öffnet sich am { $date }
state-deserted-opens-later = Die Box öffnet sich 7 Tage, nachdem der Lock verlassen wurde
state-deserted-text = Der Lock wurde verlassen. Chaster gibt die Kombination eines verlassenen Locks nach 7 Tagen zurück; bis dahin bleibt die Box zu und öffnet sich dann von selbst.
state-waiting-title = Warten, bis Chaster sagt, wie der Lock steht
state-waiting-text = Bis dahin bewegt nichts die Box.
state-ended-quota-title = Die Box öffnet sich, sobald CANDY HOUSE wieder Anfragen annimmt
state-ended-offline-title = Die Box öffnet sich, sobald der Hub wieder da ist
state-ended-offline-text = Der Hub antwortet nicht. Der Öffner versucht es weiter, bis die Box offen ist; prüfe inzwischen Strom und WLAN des Hubs.
state-ended-jammed-title = Die Box klemmt: Sie konnte nicht geöffnet werden
state-ended-jammed-text = Der Riegel ist zwischen verriegelt und entriegelt stehen geblieben. Der Öffner versucht es weiter; den Riegel von Hand oder in der Sesame-App zu drehen, löst ihn.
state-ended-opening-wearer = Dein Lock ist beendet. Deine Box wird geöffnet
state-ended-opening-keyholder = Der Lock ist beendet. Die Box wird geöffnet
state-ended-opening-text = Der Öffner versucht es weiter, bis die Box offen ist.
state-last-seen = Zuletzt gesehen
state-quota-title = Monatliches CANDY-HOUSE-Kontingent aufgebraucht
state-unreachable-title = Box nicht erreichbar
state-unreachable-text = Der Hub antwortet nicht, daher kann die Box von hier weder geöffnet noch verriegelt werden. Prüfe Strom und WLAN des Hubs.
state-hygiene-late-title = Die Hygieneöffnung ist vorbei: Verriegle die Box jetzt
state-hygiene-late-wearer = Die Zeit zum erneuten Verriegeln ist am { $date } abgelaufen. Verriegle sie jetzt, damit die Strafe klein bleibt.
state-hygiene-late-keyholder = Der Träger hätte die Box bis { $date } wieder verriegeln sollen.
state-hygiene-title = Hygieneöffnung läuft
state-hygiene-wearer = Verriegle die Box wieder, bevor die Zeit um ist.
state-hygiene-keyholder = Der Träger verriegelt die Box wieder, bevor die Zeit um ist.
state-time-left-to-relock = Verbleibende Zeit zum Verriegeln
state-jammed-title = Box klemmt
state-jammed-text = Der Riegel ist zwischen verriegelt und entriegelt stehen geblieben. Dreh ihn von Hand oder in der Sesame-App ganz durch und prüfe die Box dann hier.
state-opened-by-keyholder-wearer = Dein Keyholder hat die Box geöffnet
state-opened-by-keyholder-keyholder = Du hast die Box geöffnet
state-open-since = Offen seit { $date }.
state-open-unexpected-title = Die Box ist während des Locks offen
state-open-unexpected-text = Niemand hat sie über diese Seite oder das Dashboard geöffnet. Verriegle sie wieder.
state-locked-title-wearer = Deine Box ist verriegelt
state-locked-title-keyholder = Die Box ist verriegelt
state-locked-text-wearer = Sie öffnet sich von selbst, wenn dein Lock endet.
state-locked-text-keyholder = Sie öffnet sich von selbst, wenn der Lock endet.
state-guaranteed-release = Garantierte Freigabe spätestens am { $date }.

# The box connect form (device/connect.rs, device/form.rs): its messages go here, as `connect-…`.
