# The page's words in English, the fallback of every language (compiled into the pages).
# One message per line: `id = text`. `{ $name }` is a value the page fills in; keep it as it is.
# Dates, times and durations come from the browser in the reader's language: never write one here.
# A translation is a copy of this file named by the language's code (fr.ftl), every text
# translated; `cargo test -p frontend` lists what is missing or has other values.
# Lines starting `#!` say where the English of the messages below them is compiled (see build.rs);
# a translation needs none of them.

# The language picker: this language's own name, and the picker's label.
language-name = English
language-label = Language

# Opened without Chaster (lib.rs)
no-token-title = Open this page from Chaster
no-token-text = This page belongs to the Sesame opener extension. It only works when Chaster opens it: go to your lock on chaster.app and open the extension from there. Keyholders can also use the
no-token-dashboard-link = keyholder dashboard.
no-token-details = Details:
moved-opening = Opening
moved-right-page = the right page

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

#! said: the server's sentences, found by their `reason`. The server sends each in English with
#! its values filled in, so their English is not compiled into the page (a sentence with a time or a
#! duration is: the page formats those). Translations are fetched like every other message.

#! said english: these keep their English in the page: the server's English also says how long to
#! wait, and the page says that itself.
# The server's answers when it or an upstream is busy (server/src/error.rs, server/src/sesame/error.rs)
error-upstream-busy = { $service } is busy right now.
error-too-many-requests = Too many requests from this page.
error-box-busy = The Sesame is busy with another request (is the Sesame app open on a phone?).
error-api-key-throttled = CANDY HOUSE is limiting requests for this API key.
error-api-key-banned = CANDY HOUSE has blocked requests for this API key because of too many requests. We stopped calling it; try again in { $minutes } min.

#! said
# The server's errors, by their `reason` (server/src/error.rs, server/src/sesame/error.rs)
error-missing-token = This page has no Chaster session token. Open it from the extension in Chaster.
error-session-expired = This session has expired. Reopen the extension from Chaster.
error-not-found = There is nothing here.
error-upstream-unavailable = { $service } is not answering right now. Please try again in a few seconds.
error-too-large = This request is too large for the server. Reload the page and try again.
error-internal = Something went wrong on our side. Please try again.
error-box-low-battery = The Sesame refuses to move because its batteries are low ({ $percent } %). Replace the batteries, then try again.
error-box-low-battery-unknown = The Sesame refuses to move because its batteries are low. Replace the batteries, then try again.
error-box-offline = The Sesame or its hub is offline, so the command was not carried out. Check the hub's power and Wi-Fi.
error-box-offline-since = The Sesame or its hub is offline, so the command was not carried out. It last reported on { $last_update_at }. Check the hub's power and Wi-Fi.
error-quota-used-up = The monthly CANDY HOUSE quota for this box's API key is used up, so the opener cannot reach the box through the internet until the month turns (Japan time). We try once a day. If the wearer has just bought a paid CANDY HOUSE plan, "Try again now" checks at once. To get the key without us: open the box with the Sesame app over Bluetooth, or use the backup key.
error-quota-reserve-only = This month's CANDY HOUSE requests are nearly used up; the rest is kept for opening the box, so its status is not read again until the month turns. Opening and locking still work.
error-bad-credentials = CANDY HOUSE refused the API key: it is wrong, was deleted, or its plan no longer allows this. Check the key in the CANDY HOUSE dashboard and connect the box again.
error-integration-disabled = Cloud integration is off for this Sesame. Turn it on in the Sesame app (Sesame > Change Settings > Integration).
error-box-unknown = CANDY HOUSE does not know this Sesame for this API key. Check the device ID, and that the key belongs to the Sesame's owner.
error-box-request-refused = CANDY HOUSE refused the request as invalid. Check the device ID and connect the box again.
error-command-failed = The Sesame could not carry out the command ({ $detail }). Check the box and try again.
error-candy-house-timeout = CANDY HOUSE did not answer in time. The box may or may not have moved; check its status before trying again.
error-candy-house-failed = CANDY HOUSE's service had a problem. Try again in a minute.
error-lock-not-supported = This SESAME Bike can only be unlocked remotely; it cannot be locked from here. The wearer locks it by hand.

# Refusals: the server's refusals by their `reason` (custody/rules.rs, sesame/proof.rs, routes/)
error-lock-ended = This lock has ended.
error-lock-not-holding-box = This lock does not hold the box, so the box cannot be moved from here.
error-box-change-after-end = You can change the box after the lock ends.
error-wearer-cannot-open = The wearer cannot open the box while the session runs.
error-wearer-may-not-lock = The keyholder has not allowed the wearer to lock the box.
error-only-wearer-changes-box = Only the wearer may connect, replace or remove the box.
error-other-lock-holds-box = Another of your locks holds the box; it opens when Chaster ends that lock.
error-deserted-box-shut-until = The lock was deserted: the box stays shut until { $opens_at }, when Chaster gives the combination back.
error-box-command-in-progress = The box is busy with another command. Try again in a moment.
error-only-wearer = Only the wearer may do this.
error-only-keyholder = Only the keyholder may do this.
error-dashboard-lock-not-yours = This lock is not one of yours, or it is no longer locked. Reload the dashboard.
error-not-from-dashboard-page = This request did not come from the dashboard page. Reload the page and try again.
error-no-box = No box is connected to this lock yet.
error-proof-hub-offline = The box is not connected: the Sesame's hub reports it is offline, so our test command cannot reach the box. The API key and the UUID work. Check the hub's power and Wi-Fi, then connect the box again.
error-proof-hub-offline-since = The box is not connected: the Sesame's hub reports it is offline (its last report was on { $last_update_at }), so our test command cannot reach the box. The API key and the UUID work. Check the hub's power and Wi-Fi, then connect the box again.
error-proof-tag-not-recorded = The box is not connected: CANDY HOUSE accepted our test lock command, but the Sesame never recorded it. The API key and the UUID work, so the secret key is wrong (or belongs to another Sesame). Copy the secret key again (the owner's key-sharing QR code, or biz.candyhouse.co), then try again.
error-proof-task-not-completed = The box is not connected: the test lock command never completed, so control of the Sesame is not proven. Check that it is paired with its Wi-Fi Access Point and that cloud integration is on, then try again.
error-box-setup-problem = CANDY HOUSE keeps answering this Sesame with a server error (HTTP 500). That usually means a setup problem, not an outage: the lock is not paired with a hub (WiFi Module 2 or Hub 3), the UUID is not this lock's, or the API key is not the owner's. Check these in the Sesame app and on biz.candyhouse.co, then try again.
error-penalty-minutes-out-of-range = The penalty must add between 1 minute and 7 days ({ $max } minutes).
error-penalty-bound-out-of-range = A freeze or a block must end after between 1 hour and 7 days ({ $max } hours).
error-battery-warning-out-of-range = The low-battery warning must be between { $min } and { $max } percent.
error-time-change-zero = Choose an amount of time to add or remove.
error-time-change-too-large = A single change can add or remove at most one year.
error-session-unknown-to-chaster = Chaster no longer knows this session.
error-hygiene-not-enabled = This lock has no hygiene opening enabled. Add the Hygiene opening extension to the lock in Chaster first.
error-hygiene-in-progress = A hygiene opening is already in progress.
error-lock-not-locked = This lock is no longer locked, so it cannot be changed.
error-lock-without-keyholder = This lock has no keyholder.
error-chaster-refused = Chaster refused this change ({ $status }).
error-chaster-refused-saying = Chaster refused this change: { $detail }
error-secret-key-needed = A SESAME 3, 4 or 5 needs its secret key: 32 hexadecimal characters, or the text of the owner's key-sharing QR code.
error-v3-needs-no-secret = The original Sesame (legacy v3 API) needs no secret key. Leave it empty, or choose the Web API for a SESAME 3, 4 or 5.
error-v3-device-id-needed = Please enter the device id of the Sesame, as the v3 API lists it.
error-v3-device-id-malformed = The device id cannot contain spaces; paste it exactly as the v3 API lists it.
error-box-name-too-long = Please keep the name under { $max } characters.
error-device-uuid-needed = Please enter the device UUID of the Sesame (it looks like 12345678-1234-5678-1234-567812345678).
error-device-uuid-malformed = The device UUID looks like 12345678-1234-5678-1234-567812345678: 32 hexadecimal characters in groups of 8-4-4-4-12.
error-qr-code-of-other-box = This QR code belongs to the Sesame { $uuid }, not to the device UUID you entered. Check the UUID, or share the key of the right Sesame.
# Connecting a box and reading it, by their `reason` (domain/credentials/, sesame/product.rs, routes/device/); notice-… : DeviceView.notice
error-box-offline-last-status = The Sesame or its hub is offline, so this is its last known status. Check the hub's power and Wi-Fi.
error-box-offline-last-status-since = The Sesame or its hub is offline, so this is its last known status. It last reported on { $last_update_at }. Check the hub's power and Wi-Fi.
error-api-key-malformed = The API key is empty or contains spaces. Paste it exactly as CANDY HOUSE shows it.
error-api-key-length = A CANDY HOUSE API key is 40 characters long; this one has { $length }. Copy it again from the CANDY HOUSE developer page (biz.candyhouse.co).
error-secret-key-malformed = The secret key must be 32 hexadecimal characters, or the text of the owner's key-sharing QR code (ssm://UI?t=sk&sk=…).
error-qr-code-guest-key = This QR code is a guest key: it does not contain the device secret. Share an owner or manager key from the Sesame app instead.
error-qr-code-secret-unreadable = This QR code does not contain a readable secret key (the sk= part is missing or damaged).
error-qr-code-unknown-layout = This QR code has a layout this server does not know ({ $bytes } bytes instead of 39 or 99), so the secret key cannot be read from it safely. Enter the secret key as 32 hexadecimal characters instead: the CANDY HOUSE developer page (biz.candyhouse.co) shows it next to the device UUID.
error-qr-code-of-hub = This QR code belongs to a { $name }, not a lock: it is a hub that connects a lock to the internet. Connect the SESAME lock that closes the box (SESAME 3, 4, 5, 6, MIWA or Bike).
error-qr-code-of-bot = This QR code belongs to a { $name }, not a lock: a Bot presses a switch (command 89); this server does not drive it. Connect the SESAME lock that closes the box (SESAME 3, 4, 5, 6, MIWA or Bike).
error-qr-code-of-non-lock = This QR code belongs to a { $name }, not a lock: it does not hold a latch, so it cannot keep a key box closed. Connect the SESAME lock that closes the box (SESAME 3, 4, 5, 6, MIWA or Bike).
error-model-is-hub = A { $name } is a CANDY HOUSE device, not a lock: it is a hub that connects a lock to the internet. Connect the SESAME lock that closes the box (SESAME 3, 4, 5, 6, MIWA or Bike).
error-model-is-bot = A { $name } is a CANDY HOUSE device, not a lock: a Bot presses a switch (command 89); this server does not drive it. Connect the SESAME lock that closes the box (SESAME 3, 4, 5, 6, MIWA or Bike).
error-model-is-non-lock = A { $name } is a CANDY HOUSE device, not a lock: it does not hold a latch, so it cannot keep a key box closed. Connect the SESAME lock that closes the box (SESAME 3, 4, 5, 6, MIWA or Bike).
error-qr-code-of-unknown-device = This QR code belongs to a CANDY HOUSE device this server does not know (product type { $product_type }), so it cannot tell whether it is a lock. Share the key of a SESAME 3, 4, 5, 6, MIWA or Bike lock.
error-model-unknown = "{ $model }" is not a CANDY HOUSE model this server knows. Pick the model from the list, or paste the owner's key-sharing QR code.
notice-unlock-only-box = This SESAME Bike can only be unlocked remotely: it cannot be locked from here. The wearer locks it by hand, and the box counts as locked from the first reading that shows it locked.
# Results of a box command or a keyholder control, by their `reason` (sesame/command.rs, routes/controls/actions.rs)
result-box-task-done = CANDY HOUSE reports the command as carried out: the Sesame is { $latch }.
result-box-reports = The Sesame reports it is { $latch }.
result-box-mismatch = The Sesame reports it is { $latch } after the command. It may have been turned by hand or be jammed; check the box.
result-box-jammed-after-resend = The Sesame stopped between locked and unlocked: it is jammed or half-turned, even after the command was sent a second time. Check the box: something may block the latch, or the lock angles may need to be set again in the Sesame app.
result-box-not-confirmed-offline = Not confirmed: the Sesame's hub is offline, so the command was probably not carried out, and the state it shows ({ $latch }) is only the last one it reported. Check the hub's power and Wi-Fi.
result-box-not-confirmed-offline-since = Not confirmed: the Sesame's hub has been offline since { $last_update_at }, so the command was probably not carried out, and the state it shows ({ $latch }) is only the last one it reported. Check the hub's power and Wi-Fi.
result-box-unchanged = CANDY HOUSE accepted the command, but the Sesame still reports it is { $latch }. It may not have received the command, or the secret key may be wrong. Check the box before relying on it.
result-box-unchanged-low-battery = CANDY HOUSE accepted the command, but the Sesame still reports it is { $latch }. It may not have received the command, or the secret key may be wrong. Check the box before relying on it. Its battery is low ({ $percent } %), which can stop the motor.
result-box-no-status-after-command = CANDY HOUSE accepted the command, but no status could be read after it, so it is not confirmed. Check the box before relying on it.
result-time-added = Added { $amount_secs } to the lock.
result-time-removed = Removed { $amount_secs } from the lock.
result-lock-frozen = The lock is frozen: its timer stands still and it cannot be unlocked.
result-lock-unfrozen = The lock is unfrozen: its timer runs again.
result-hygiene-started = The hygiene opening has started: the wearer may open the lock now.
result-no-penalty-holds = No penalty holds this lock right now.
result-penalty-ended = The open-box penalty is ended: the wearer can unlock again once Chaster allows it.
#! main: compiled into every page, in English.

# A latch position inside those sentences (the value named latch)
latch-locked = locked
latch-unlocked = unlocked
latch-jammed = between locked and unlocked (jammed or half-turned)
latch-unknown = in an unknown position

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

# The lock card (session/)
session-frozen = Frozen
session-ready-to-unlock = Ready to unlock
session-timer-hidden = Timer hidden
session-timer-unknown = Unknown
session-hidden-timer-note = Your box still opens when the lock ends.
session-self-lock = Self-lock
session-no-keyholder = No keyholder
session-you = (you)
session-your-lock = Your lock
session-time-left-yours = Time left on your lock
session-their-lock = { $wearer }'s lock
session-time-left-theirs = Time left for { $wearer }
session-wearer = Wearer
session-keyholder = Keyholder
session-paused-by-keyholder = Paused by your keyholder
session-paused = Paused: the timer stands still
session-paused-until-you-unfreeze = Paused: the timer stands still until you unfreeze it
session-loading = Loading your lock…
session-refresh-failed = Could not refresh the lock:

# The box panel (device/mod.rs, device/components.rs, device/mapper.rs)
box-usage-of-quota = { $used } of { $quota } CANDY HOUSE requests this month, { $reserve } kept for openings
box-usage = { $used } requests this month
box-read-just-now = Status read just now
box-read-ago = Status read { $ago }
box-held = This lock holds the box.
box-yours-again = The lock has ended: the box is yours again.
box-not-held = This lock does not hold the box.
box-locked = Locked
box-unlocked = Unlocked
box-jammed = Jammed or half-turned
box-unknown = Unknown
box-updated = updated { $ago }
box-opening = Opening… waiting for the box to confirm
box-locking = Locking… waiting for the box to confirm
box-test-works = It works: the box reports { $latch }, battery { $battery }.
box-test-hub-missed = CANDY HOUSE accepted the details, but the hub did not reach the box. Check that the hub is online and near the box.
box-loading = Looking for your box…
box-refresh-failed = Could not refresh the box:
box-none-keyholder = No box connected yet: the wearer connects it from this page.
box-none-wearer = No box connected yet.
box-panel-label = Key box
box-latch-label = Box
box-battery-label = Battery
box-hub-label = Hub
box-hub-online = Online
box-hub-unreachable = Hub not reachable
box-battery-low = Battery low ({ $battery }): replace or charge it soon, or the box may not open when it should.
box-status-unread = The box's status could not be read
box-retry-now = Try again now
box-open = Open box
box-lock = Lock box
box-replace = Replace
box-remove = Remove
box-remove-question = Remove this box? It will no longer open when your lock ends, until you connect it again.
box-removing = Removing…
box-remove-yes = Yes, remove
box-removed = Box removed: it no longer opens by itself when a lock ends, until you connect it again.
cancel = Cancel

# The way to the connect page and back (device/mod.rs, device/mapper.rs, device/components.rs)
connect-title = Connect your key box
connect-intro = Four steps. Once connected, the box opens by itself when your lock ends. Your keys are stored encrypted on our server and are never shown again, not even to your keyholder.
connect-connected = Connected.
connect-connected-opens = Connected. This box will open by itself when your lock ends.
connect-manage-menu = Manage this box

# Keyholder controls (controls/, confirm.rs)
controls-title = Keyholder controls
controls-add-time = Add time
controls-remove-time = Remove time
controls-other-amount = Other amount
controls-amount = Amount
controls-unit = Unit
controls-minutes = minutes
controls-hours = hours
controls-days = days
controls-add = Add
controls-remove = Remove
controls-freeze = Freeze
controls-unfreeze = Unfreeze
controls-hygiene-opening = Hygiene opening
controls-end-penalty = End open-box penalty
controls-end-penalty-hint = Lifts a block on unlocking or a freeze the opener applied because the box was found open
controls-adding = Adding { $amount }…
controls-removing = Removing { $amount }…
controls-freezing = Freezing the lock…
controls-unfreezing = Unfreezing the lock…
controls-starting-hygiene = Starting the hygiene opening…
controls-ending-penalty = Ending the open-box penalty…
controls-not-whole = Please enter a whole number, like 30.
controls-zero = Please enter an amount greater than zero.
controls-too-long = That is more than a year; please enter a smaller amount.
confirm-remove-time = Remove { $amount } from the lock?
confirm-yes-remove = Yes, remove
confirm-freeze = Freeze the lock? The timer stands still until you unfreeze it.
confirm-yes-freeze = Yes, freeze
confirm-hygiene = Start a hygiene opening now? The wearer may unlock for the hygiene time, and the box opens if the settings allow it.
confirm-yes-start = Yes, start
confirm-open = Open the box now? The wearer can then take the key.
confirm-yes-open = Yes, open
history-loading = Loading the history…
history-title = History
history-show-all = Show all ({ $count })
history-older-failed = Could not load older entries:
history-loading-more = Loading…
history-show-older = Show older

#! pages: only the connect, configuration and dashboard pages use these (`PageMsg`), so their
#! English is compiled into those pages and not into the main page.

# The box connect form (device/connect.rs, device/form.rs): its messages go here, as `connect-…`.
connect-step-model = Which Sesame is on your box?
connect-model-label = Model
connect-model-choose = Choose… (a QR code names its own model)
connect-model-hint = Sesame Bot, Touch, Remote, Open Sensor, Face and Hub 3 are not in the list: they cannot hold a box shut. A Sesame Bike can only be unlocked remotely; you lock it by hand.
connect-model-sliding-door = Sesame 6 Pro for sliding doors
connect-model-original = The original Sesame (2017, with its Wi-Fi Access Point)
connect-nickname-label = Name of the box (optional)
connect-step-api-key = Your CANDY HOUSE API key
connect-api-key-hint-before = Sign in at
connect-api-key-hint-after = with the account of your Sesame app. Its developer page shows your API key: 40 letters and digits. Copy it here.
connect-api-key-original-before = The original Sesame uses the older dashboard: sign in at
connect-api-key-original-after = and create a key under “API Settings” (it is shown only once).
connect-api-key-label = API key
connect-step-device-id = Your Sesame's device id
connect-device-id-hint-before = The dashboard at
connect-device-id-hint-after = lists your Sesames with their device ids.
connect-step-key = The key of your Sesame
connect-qr-hint = The easiest way: in the Sesame app, share this Sesame's key with the Owner level and take a screenshot of the QR code it shows. The picture is read here, in this page; only the code's text is sent.
connect-qr-label = Upload a screenshot of the owner QR code
connect-qr-reading = Reading the QR code…
connect-qr-read = QR code read: the secret key and the UUID will come from it. Now the API key, then test.
connect-qr-not-sesame = This QR code is not a Sesame key (its text does not start with ssm://). Upload the QR code the Sesame app shows when it shares the key as Owner.
connect-qr-not-picture = This file is not a picture the browser can open. Upload a screenshot (PNG or JPEG).
connect-qr-no-code = No QR code found in this picture. Upload a screenshot where the whole QR code is visible.
connect-qr-unreadable = A QR code is there but could not be read. Take the screenshot again without cropping the code, or type the secret key below.
connect-qr-reader-failed = The QR reader could not start in this browser. Type the UUID and the secret key below instead.
connect-type-hint-before = Or type them: the developer page of
connect-type-hint-after = lists each Sesame with its UUID and its secret key (32 characters 0–9 and a–f). A guest key cannot open the box.
connect-uuid-label = UUID (not needed with a QR code)
connect-device-id-label = Device id
connect-secret-label = Secret key
connect-step-test = Test, then connect
connect-test-hint-web = The test sends your Sesame one lock command marked with a one-time tag, then looks for that tag in the Sesame's own history: only the right secret key gets it there. The box ends locked. Nothing is saved until you connect.
connect-test-hint-original = The test sends your Sesame one lock command and waits until CANDY HOUSE reports it carried out. The box ends locked. Nothing is saved until you connect.
connect-problem-one = Please correct the marked field.
connect-problem-many = Please correct the { $count } marked fields.
connect-test = Test connection
connect-testing = Testing…
connect-save = Connect this box
connect-saving = Connecting…
connect-cancel = Cancel
connect-nickname-too-long = Please keep the name under 40 characters.
connect-api-key-missing = Please enter your CANDY HOUSE API key.
connect-api-key-spaces = The API key cannot contain spaces.
connect-device-id-missing = Please enter the device UUID or id.
connect-device-id-not-uuid = The device UUID looks like 12345678-1234-5678-1234-567812345678.
connect-device-id-spaces = The device id cannot contain spaces.
connect-secret-missing = Please upload the owner QR code, or type the secret key.
connect-secret-malformed = The secret key is 32 characters 0–9 and a–f, or QR text starting with ssm://.
connect-test-unreachable = CANDY HOUSE accepted the details, but the hub did not reach the box. Check that the hub is online and near the box.
connect-test-passed = It works. What was checked:
connect-check-known = CANDY HOUSE accepted the API key and knows this Sesame ({ $model }).
connect-check-status = The hub is online and the box reports { $latch }, battery { $battery }.
connect-check-tagged = Our test lock command, marked with a one-time tag, is in the Sesame's own history: the secret key is right and the box obeys it.
connect-check-task = CANDY HOUSE reported our test lock command as carried out by the Sesame.
connect-check-first-opening = This Sesame can only be unlocked remotely, so no lock command could test it: its secret key is checked at its first opening.
connect-check-not-saved = Nothing is saved yet: press “Connect this box” to finish.

# Configuration page (config/)
config-title = Sesame opener settings
config-scope-running = Changes apply to the running lock.
config-scope-creating = These settings apply to the lock you are creating.
config-loading = Loading the settings…
config-open-legend = Open the key box
config-open-on-release = When the lock is released
config-open-on-release-help = The box opens as soon as Chaster says the lock has ended.
config-open-for-hygiene = For hygiene openings (locked again afterwards)
config-open-for-hygiene-help = The box opens when a hygiene opening starts and locks again when it ends.
config-deserted-note = If the lock is deserted, the box stays shut and opens by itself 7 days later, when Chaster gives the combination back. Until then nobody can open it through this extension, the keyholder included.
config-one-lock-note = The box belongs to one running lock at a time. When that lock ends, the wearer can open, lock or change the box from the extension's page.
config-penalty-legend = If the box is found open during the lock
config-penalty-label = Penalty
config-penalty-none = No penalty
config-penalty-add-time = Add time
config-penalty-freeze = Freeze the lock
config-penalty-block = Block unlocking while the box is open
config-penalty-none-help = Nothing happens to the lock; the opening is written in the history.
config-penalty-add-time-help = This much time is added to the lock for each time the box is found open.
config-penalty-freeze-help = The timer stands still until the box is locked again, at most for the time limit below.
config-penalty-block-help = The wearer cannot unlock until the box is locked again, at most for the time limit below.
config-freeze-self-lock = On a self-lock nobody could unfreeze the wearer, so there the box being open blocks unlocking instead.
config-bound-label = Ends when the box is locked again, or at the latest after (hours)
config-duration-legend = Time to add
config-duration-help = From 1 minute to 7 days.
config-days = days
config-hours = hours
config-minutes = minutes
config-wearer-legend = Wearer and box
config-wearer-may-lock = The wearer may lock the box themselves
config-wearer-may-lock-help = The wearer can lock the box from the page, for example after putting the key in.
config-battery-label = Warn when the battery is at or below (%)
config-battery-help = Both of you see a warning, so the batteries are changed before the box stops moving.
config-public-note = Everyone who can see the lock can read these settings; they hold no secret. The wearer connects the box from the extension's page once the lock runs.
config-save-idle = Save with the Save button of this window.
config-save-saving = Saving…
config-save-saved = Saved.
config-save-failed = Not saved.
config-not-loaded = The settings have not loaded yet, so there is nothing to save.
config-problems = { $count } fields need a change: { $problems }
config-duration-not-whole = Please enter whole numbers of days, hours and minutes.
config-duration-out-of-range = The time to add must be between 1 minute and 7 days.
config-bound-not-whole = Please enter the penalty's time limit as a whole number of hours.
config-bound-out-of-range = The penalty's time limit must be between 1 and { $max } hours (one week).
config-battery-not-whole = Please enter the battery warning level as a whole number.
config-battery-out-of-range = The battery warning level must be between { $min } and { $max } %.

# Dashboard (dashboard/)
dashboard-title = Keyholder dashboard
dashboard-signin-text = Sign in with your Chaster account to see the locks you hold that use the Sesame opener, and to control them from here.
dashboard-signin = Sign in with Chaster
dashboard-signed-in-as = Signed in as
dashboard-sign-out = Sign out
dashboard-signing-out = Signing out…
dashboard-sign-out-failed = Could not sign out:
dashboard-loading = Loading your locks…
dashboard-updated = Last updated { $ago }
dashboard-running = Running locks
dashboard-empty = None of the locks you hold uses the Sesame opener right now.
dashboard-ended = Ended
dashboard-ended-ago = Ended { $ago }
dashboard-time-left = { $time } left
dashboard-paused-left = Paused, { $time } left
dashboard-untitled = Untitled lock
dashboard-box-panel = Key box
dashboard-ended-note = Chaster released this lock, so there is nothing left to control. The box opens by itself if the settings say so.
dashboard-no-box-was = No box was connected.
dashboard-no-box-yet = No box connected yet: the wearer connects it from the extension's page in the lock.
dashboard-badge-no-box = No box
dashboard-badge-unreachable = Box unreachable
dashboard-badge-offline = Box offline
dashboard-badge-locked = Box locked
dashboard-badge-open = Box open
dashboard-badge-jammed = Box jammed
dashboard-badge-unknown = Box state unknown

#! main

# The page's own errors, when no server answer says why (api/transport.rs): `error-<reason>` like the server's
error-page-session-invalid = Your session is no longer valid.
error-page-too-many-requests = Too many requests at once.
error-page-server-unreachable-status = The server could not be reached right now (HTTP { $status }).
error-page-unexpected-status = The server answered with an unexpected error (HTTP { $status }).
error-page-offline = Could not reach the server. Check your connection.
error-page-unreadable-answer = The server sent an answer this page does not understand.
error-page-not-sent = This page could not prepare the request.

# A damaged link (hash/): the details under "Open this page from Chaster"
hash-missing = the link carries no session information
hash-bad-encoding = the session information in the link is garbled
hash-bad-format = the session information in the link is not in the expected format
hash-no-token = the link carries no session token
hash-bad-token = the session token in the link is not valid

# History extras (history/)
history-empty = Nothing yet.
history-spoken-opened = Box opened.
history-spoken-failed = Failed.
history-spoken-tamper = Tamper.
history-spoken-incident = Incident.
