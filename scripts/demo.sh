#!/usr/bin/env bash
# The demo: installs what is missing, builds the page, then runs the simulated Chaster and Sesame,
# the server, and a host page on another origin that embeds the app the way Chaster does.
# Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."

APP_ADDR=127.0.0.1:3000
APP_URL=http://localhost:3000 # another host name than the host page's, like chaster.app vs our host
CHASTER_ADDR=127.0.0.1:7001
SESAME_ADDR=127.0.0.1:7002
HOST_ADDR=127.0.0.1:8090
HOST_URL="http://$HOST_ADDR"
LOG_DIR=.data/demo-logs
# The simulated Chaster delivers webhooks to the server with these Basic-auth credentials.
WEBHOOK_USER=demo-webhook
WEBHOOK_PASSWORD=demo-webhook-password

say() { printf '\033[1;34m[demo]\033[0m %s\n' "$*"; }
die() { printf '\033[1;31m[demo] %s\033[0m\n' "$*" >&2; exit 1; }

# True when something accepts connections on host:port.
listening() { (exec 3<>"/dev/tcp/${1%:*}/${1#*:}") 2>/dev/null; }

# JavaScript's encodeURIComponent, for the hash Chaster puts on the iframe URL.
uri_encode() {
  local s="$1" out="" c i
  for ((i = 0; i < ${#s}; i++)); do
    c="${s:i:1}"
    case "$c" in
      [A-Za-z0-9_.!~*\'\(\)-]) out+="$c" ;;
      *) out+=$(printf '%%%02X' "'$c") ;;
    esac
  done
  printf '%s' "$out"
}

for addr in "$APP_ADDR" "$CHASTER_ADDR" "$SESAME_ADDR" "$HOST_ADDR"; do
  listening "$addr" && die "$addr is already in use; stop whatever listens there (an earlier demo?)"
done

bash scripts/setup.sh
export PATH="$PWD/.tools/node_modules/.bin:$HOME/.cargo/bin:$PATH"

say "building the page: trunk build --release"
trunk build --release
say "building the simulators and the server (release)"
cargo build --release -p sim --bin sim -p server --bin sesame-opener

mkdir -p .data "$LOG_DIR"
if [ -f .data/demo.db ]; then
  say "keeping .data/demo.db from the last start (connected boxes stay); delete it to start from nothing"
fi
pids=()
cleanup() {
  trap - EXIT INT TERM
  say "stopping"
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

target/release/sim \
  --chaster-addr "$CHASTER_ADDR" --sesame-addr "$SESAME_ADDR" \
  --host-page-addr "$HOST_ADDR" --app-url "$APP_URL" \
  --webhook-url "http://$APP_ADDR/webhooks/chaster" \
  --webhook-user "$WEBHOOK_USER" --webhook-password "$WEBHOOK_PASSWORD" \
  >"$LOG_DIR/sim.out" 2>"$LOG_DIR/sim.log" &
pids+=($!)

BIND_ADDR="$APP_ADDR" \
DIST_DIR="$PWD/dist" \
CHASTER_BASE_URL="http://$CHASTER_ADDR" \
CHASTER_DEVELOPER_TOKEN=sim-developer-token \
CHASTER_CLIENT_ID=sim-client-id \
CHASTER_ORIGINS="$HOST_URL" \
CHASTER_WEBHOOK_USERNAME="$WEBHOOK_USER" \
CHASTER_WEBHOOK_PASSWORD="$WEBHOOK_PASSWORD" \
SESAME_V3_BASE_URL="http://$SESAME_ADDR/public" \
SESAME_WEBAPI_BASE_URL="http://$SESAME_ADDR" \
DATABASE_URL="sqlite://.data/demo.db?mode=rwc" \
CHASTER_EXTENSION_SLUG=sesame-opener \
CHASTER_SSO_BASE_URL="http://$CHASTER_ADDR" \
CHASTER_OAUTH_CLIENT_ID=sim-oauth-client \
CHASTER_OAUTH_CLIENT_SECRET=sim-oauth-secret \
PUBLIC_BASE_URL="$APP_URL" \
  target/release/sesame-opener >"$LOG_DIR/server.log" 2>&1 &
pids+=($!)

# Waits until `check` succeeds, or fails when a process died or 30 s passed.
wait_for() {
  local what="$1"; shift
  for _ in $(seq 1 300); do
    "$@" && return 0
    for pid in "${pids[@]}"; do
      kill -0 "$pid" 2>/dev/null || die "a process exited while waiting for $what; see $LOG_DIR/"
    done
    sleep 0.1
  done
  die "$what did not come up within 30 s; see $LOG_DIR/"
}
wait_for "the simulators" grep -q '^Ready' "$LOG_DIR/sim.out"
wait_for "the server on $APP_ADDR" listening "$APP_ADDR"

view() { printf '%s/#%s' "$APP_URL" "$(uri_encode "{\"mainToken\":\"$1\"}")"; }
config_page() { printf '%s/?resize=1&path=configure&hash=%s' "$HOST_URL" "$(uri_encode "{\"partnerConfigurationToken\":\"$1\"}")"; }

cat <<EOF

  Sesame opener demo is running (simulated Chaster and Sesame; nothing leaves this machine).

  Inside the simulated Chaster page (another origin, like chaster.app):
    wearer        $HOST_URL/?token=demo-wearer-token
    keyholder     $HOST_URL/?token=demo-keyholder-token
    hidden timer  $HOST_URL/?token=demo-hidden-timer-token
    frozen lock   $HOST_URL/?token=demo-frozen-token
    expired token $HOST_URL/?token=demo-expired-token
    configuration $(config_page demo-config-edit-token)
                  (the keyholder edits the policy; the page's Save button plays Chaster's modal)

  Release the lock, start or end a hygiene opening, desert (Chaster's side, sends the webhooks):
    http://$CHASTER_ADDR/sim
  Then watch the box open in the keyholder view and the history.

  Keyholder dashboard outside Chaster (simulated Chaster sign-in; choose demo-keyholder):
    $APP_URL/dashboard

  The page on its own, as Chaster's iframe loads it:
    wearer        $(view demo-wearer-token)
    keyholder     $(view demo-keyholder-token)

  Simulators and the demo Sesame credentials:
$(grep -v '^Ready' "$LOG_DIR/sim.out" | sed 's/^/    /')

  Logs: $LOG_DIR/server.log and $LOG_DIR/sim.log.  Ctrl-C stops everything.
EOF

# Returns when any process ends (or on Ctrl-C); the EXIT trap stops the rest.
wait -n "${pids[@]}" || true
say "a process stopped; see $LOG_DIR/"
