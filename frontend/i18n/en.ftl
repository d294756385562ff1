# The page's words in English, the fallback of every language (compiled into the page).
# One message per line: `id = text`. `{ $name }` is a value the page fills in; keep it as it is.
# Dates, times and durations come from the browser in the reader's language: never write one here.
# A translation is a copy of this file named by the language's code (fr.ftl), every text
# translated; `cargo test -p frontend` lists what is missing or has other values.

# The language picker: this language's own name, and the picker's label.
language-name = English
language-label = Language

# Opened without Chaster (lib.rs)
no-token-title = Open this page from Chaster
no-token-text = This page belongs to the Sesame opener extension. It only works when Chaster opens it: go to your lock on chaster.app and open the extension from there. Keyholders can also use the
no-token-dashboard-link = keyholder dashboard.
no-token-details = Details:

# Errors (ui.rs)
error-timed-out-title = This page timed out
error-timed-out-hint = Your lock and your box are not affected. To go on, close this page and open the extension again from your lock in Chaster.
error-forbidden-title = Not allowed
error-not-found-title = Not found
error-conflict-title = Not possible now
error-invalid-title = Please check what you entered
error-unavailable-title = No answer right now
error-rate-limited-title = Too many requests
error-device-title = The box did not do it
error-internal-title = Something went wrong
retry-now = You can try again now.
retry-in = You can try again { $when }.
try-again = Try again

# The server's errors, by their `reason` (server/src/error.rs, server/src/sesame/error.rs)
error-missing-token = This page has no Chaster session token. Open it from the extension in Chaster.
error-session-expired = This session has expired. Reopen the extension from Chaster.
error-not-found = There is nothing here.
error-upstream-unavailable = { $service } is not answering right now. Please try again in a few seconds.
error-upstream-busy = { $service } is busy right now.
error-too-many-requests = Too many requests from this page.
error-too-large = This request is too large for the server. Reload the page and try again.
error-internal = Something went wrong on our side. Please try again.
error-box-busy = The Sesame is busy with another request (is the Sesame app open on a phone?).
error-box-low-battery = The Sesame refuses to move because its batteries are low ({ $percent } %). Replace the batteries, then try again.
error-box-low-battery-unknown = The Sesame refuses to move because its batteries are low. Replace the batteries, then try again.
error-box-offline = The Sesame or its hub is offline, so the command was not carried out. Check the hub's power and Wi-Fi.
error-box-offline-since = The Sesame or its hub is offline, so the command was not carried out. It last reported on { $last_update_at }. Check the hub's power and Wi-Fi.
error-api-key-throttled = CANDY HOUSE is limiting requests for this API key.
error-quota-used-up = The monthly CANDY HOUSE quota for this box's API key is used up, so the opener cannot reach the box through the internet until the month turns (Japan time). We try once a day. If the wearer has just bought a paid CANDY HOUSE plan, "Try again now" checks at once. To get the key without us: open the box with the Sesame app over Bluetooth, or use the backup key.
error-quota-reserve-only = This month's CANDY HOUSE requests are nearly used up; the rest is kept for opening the box, so its status is not read again until the month turns. Opening and locking still work.
error-api-key-banned = CANDY HOUSE has blocked requests for this API key because of too many requests. We stopped calling it; try again in { $minutes } min.
error-bad-credentials = CANDY HOUSE refused the API key: it is wrong, was deleted, or its plan no longer allows this. Check the key in the CANDY HOUSE dashboard and connect the box again.
error-integration-disabled = Cloud integration is off for this Sesame. Turn it on in the Sesame app (Sesame > Change Settings > Integration).
error-box-unknown = CANDY HOUSE does not know this Sesame for this API key. Check the device ID, and that the key belongs to the Sesame's owner.
error-box-request-refused = CANDY HOUSE refused the request as invalid. Check the device ID and connect the box again.
error-command-failed = The Sesame could not carry out the command ({ $detail }). Check the box and try again.
error-candy-house-timeout = CANDY HOUSE did not answer in time. The box may or may not have moved; check its status before trying again.
error-candy-house-failed = CANDY HOUSE's service had a problem. Try again in a minute.
error-lock-not-supported = This SESAME Bike can only be unlocked remotely; it cannot be locked from here. The wearer locks it by hand.

# The state card on top of the main page (state/)
state-connect-action = Connect your box
state-open-action = Open box now
state-retry-quota-action = Try again now
state-lock-action = Lock box
state-lock-now-action = Lock box now
state-key-anyway-wearer = You can get your key anyway: open the box with the Sesame app over Bluetooth (as the box's owner), or use your backup key.
state-key-anyway-keyholder = The wearer can get the key anyway: with the Sesame app over Bluetooth as the box's owner, or with their backup key.
state-no-box-title = No box connected
state-no-box-yet-title = No box connected yet
state-no-box-wearer = Connect your Sesame: it then opens by itself when your lock ends.
state-no-box-keyholder = Ask the wearer to connect their Sesame from this page: until then nothing opens when the lock ends.
state-ended-on = Ended { $date }
state-ended-open-wearer = Your lock has ended. Your box is open: take your key
state-ended-open-keyholder = The lock has ended. The box is open: the wearer can take their key
state-deserted-opens-on = The box opens on { $date }
state-deserted-opens-later = The box opens 7 days after the lock was deserted
state-deserted-text = The lock was deserted. Chaster gives a deserted lock's combination back after 7 days; the box stays shut until then and opens by itself.
state-waiting-title = Waiting for Chaster to say how the lock stands
state-waiting-text = Nothing moves the box until then.
state-ended-quota-title = The box will open as soon as CANDY HOUSE accepts requests again
state-ended-offline-title = The box will open as soon as the hub is back
state-ended-offline-text = The hub does not answer. The opener keeps trying until the box is open; check the hub's power and Wi-Fi meanwhile.
state-ended-jammed-title = The box is jammed: it could not be opened
state-ended-jammed-text = The latch stopped between locked and unlocked. The opener keeps trying; turning the latch by hand or in the Sesame app frees it.
state-ended-opening-wearer = Your lock has ended. Your box is being opened
state-ended-opening-keyholder = The lock has ended. The box is being opened
state-ended-opening-text = The opener keeps trying until the box is open.
state-last-seen = Last seen
state-quota-title = Monthly CANDY HOUSE quota used up
state-unreachable-title = Box unreachable
state-unreachable-text = The hub does not answer, so the box cannot be opened or locked from here. Check the hub's power and Wi-Fi.
state-hygiene-late-title = The hygiene opening is over: lock the box now
state-hygiene-late-wearer = The time to lock it again ended { $date }. Lock it now to keep the penalty small.
state-hygiene-late-keyholder = The wearer should have locked the box again by { $date }.
state-hygiene-title = Hygiene opening running
state-hygiene-wearer = Lock the box again before the time is up.
state-hygiene-keyholder = The wearer locks the box again before the time is up.
state-time-left-to-relock = Time left to relock
state-jammed-title = Box jammed
state-jammed-text = The latch stopped between locked and unlocked. Turn it fully by hand or in the Sesame app, then check the box here.
state-opened-by-keyholder-wearer = Your keyholder opened the box
state-opened-by-keyholder-keyholder = You opened the box
state-open-since = Open since { $date }.
state-open-unexpected-title = The box is open during the lock
state-open-unexpected-text = Nobody opened it from this page or the dashboard. Lock it again.
state-locked-title-wearer = Your box is locked
state-locked-title-keyholder = The box is locked
state-locked-text-wearer = It opens by itself when your lock ends.
state-locked-text-keyholder = It opens by itself when the lock ends.
state-guaranteed-release = Guaranteed release by { $date } at the latest.

# The box connect form (device/connect.rs, device/form.rs): its messages go here, as `connect-…`.
