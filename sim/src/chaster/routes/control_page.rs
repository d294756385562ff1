//! The demo's control page (`GET /sim`: sessions with buttons, webhook settings, recent
//! deliveries; plain forms, no script) and the avatars the seeded users point at.

use std::collections::HashMap;
use std::fmt::Write;

use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use super::esc;
use crate::chaster::render::date;
use crate::chaster::state::{SimLock, SimSession, SimState};
use crate::chaster::{nest, Shared};

pub fn router() -> Router<Shared> {
    Router::new()
        .route("/sim", get(page))
        .route("/avatars/{file}", get(avatar))
}

const STYLE: &str = "body{font-family:sans-serif;margin:1.5rem;color:#222}table{border-collapse:collapse;margin:.5rem 0 1.5rem}\
td,th{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top;font-size:.9rem}\
form{display:inline;margin:0 .2rem}.msg{background:#eef6ff;border:1px solid #9cf;padding:.5rem}code{font-size:.85rem}\
.ok{color:#176f2c}.bad{color:#b00020}";

async fn page(State(hub): State<Shared>, Query(q): Query<HashMap<String, String>>) -> Html<String> {
    let s = hub.lock();
    let mut html = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>Chaster simulator</title><style>{STYLE}</style></head><body><h1>Chaster simulator</h1>"
    );
    if let Some(msg) = q.get("msg") {
        let _ = write!(html, "<p class=\"msg\">{}</p>", esc(msg));
    }
    html.push_str(&sessions_table(&s));
    html.push_str(&webhook_form(&s));
    html.push_str(&deliveries_table(&s));
    html.push_str("</body></html>");
    Html(html)
}

fn button(action: &str, label: &str, hidden: &[(&str, &str)]) -> String {
    let fields: String = hidden
        .iter()
        .map(|(k, v)| format!("<input type=\"hidden\" name=\"{k}\" value=\"{v}\">"))
        .collect();
    format!(
        "<form method=\"post\" action=\"{}\">{fields}<button>{label}</button></form>",
        esc(action)
    )
}

fn session_row(s: &SimState, session: &SimSession, lock: &SimLock) -> String {
    let name = |id: &str| s.users.get(id).map_or("?".to_owned(), |u| esc(&u.username));
    let keyholder = lock
        .keyholder_id
        .as_deref()
        .map_or("(self-lock)".to_owned(), name);
    let base = format!("/sim/sessions/{}", session.session_id);
    let mut actions = String::new();
    if lock.status.as_str() == "locked" {
        if lock.keyholder_id.is_some() {
            actions += &button(
                &format!("{base}/release"),
                "Keyholder unlocks",
                &[("how", "keyholder")],
            );
        }
        actions += &button(
            &format!("{base}/release"),
            "Timer ends, wearer unlocks",
            &[("how", "timer")],
        );
        match (
            lock.hygiene_opening_enabled(),
            lock.hygiene_opened_at.is_some(),
        ) {
            (true, false) => {
                actions += &button(
                    &format!("{base}/hygiene/start"),
                    "Start hygiene opening",
                    &[],
                )
            }
            (true, true) => {
                actions += &button(&format!("{base}/hygiene/end"), "Lock back", &[]);
                actions += &button(
                    &format!("{base}/hygiene/end"),
                    "Lock back late",
                    &[("late", "true")],
                );
            }
            _ => {}
        }
        actions += &button(&format!("{base}/desert"), "Desert", &[]);
    }
    let hygiene = match (lock.hygiene_opening_enabled(), lock.hygiene_opened_at) {
        (false, _) => "off".to_owned(),
        (true, None) => "enabled".to_owned(),
        (true, Some(at)) => format!("<b>open</b> since {}", date(at)),
    };
    // What the wearer's lock page shows of the extension (`metadata.homeActions`).
    let home: String = session.metadata["homeActions"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|a| {
            let text = |k: &str| esc(a[k].as_str().unwrap_or(""));
            let badge = a["badge"]
                .as_str()
                .map_or(String::new(), |b| format!(" <b>[{}]</b>", esc(b)));
            format!(
                "<div title=\"{}\">{}{badge}</div>",
                text("description"),
                text("title")
            )
        })
        .collect();
    format!(
        "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{keyholder}</td><td>{}</td><td>{}{}</td><td>{hygiene}</td><td>{home}</td><td>{actions}</td></tr>",
        esc(&session.session_id),
        esc(&lock.title),
        name(&lock.wearer_id),
        lock.status.as_str(),
        date(lock.end_date),
        if lock.is_frozen { " (frozen)" } else { "" },
    )
}

fn sessions_table(s: &SimState) -> String {
    let mut sessions: Vec<_> = s
        .sessions
        .values()
        .filter_map(|x| Some((x, s.locks.get(&x.lock_id)?)))
        .collect();
    sessions.sort_by(|a, b| a.0.object_id.cmp(&b.0.object_id));
    let rows: String = sessions.iter().map(|(x, l)| session_row(s, x, l)).collect();
    format!(
        "<h2>Sessions</h2><table><tr><th>sessionId</th><th>lock</th><th>wearer</th><th>keyholder</th><th>status</th><th>end</th><th>hygiene</th><th>on the lock page</th><th>actions</th></tr>{rows}</table>"
    )
}

fn webhook_form(s: &SimState) -> String {
    let w = s.webhook.as_ref();
    let url = w.map_or(String::new(), |w| esc(&w.url));
    let user = w
        .and_then(|w| w.basic_auth.as_ref())
        .map_or(String::new(), |(u, _)| esc(u));
    let delays: Vec<String> = w.map_or(Vec::new(), |w| {
        w.retry_delays
            .iter()
            .map(|d| d.as_millis().to_string())
            .collect()
    });
    format!(
        "<h2>Webhook</h2><form method=\"post\" action=\"/sim/webhook\">URL <input name=\"url\" size=\"40\" value=\"{url}\"> \
         user <input name=\"user\" value=\"{user}\"> password <input name=\"password\" type=\"password\"> \
         retry delays (ms) <input name=\"retry_delays_ms\" value=\"{}\" placeholder=\"60000,120000,180000,240000\"> \
         <button>Save</button></form>{}",
        delays.join(","),
        if w.is_none() { "<p>No webhook URL: events are not delivered.</p>" } else { "" },
    )
}

fn deliveries_table(s: &SimState) -> String {
    let rows: String = s
        .deliveries
        .iter()
        .rev()
        .take(30)
        .map(|d| {
            let outcome = match (d.status, &d.error) {
                (Some(code), _) if d.succeeded() => format!("<span class=\"ok\">{code}</span>"),
                (Some(code), _) => format!("<span class=\"bad\">{code}</span>"),
                (None, e) => format!("<span class=\"bad\">{}</span>", esc(e.as_deref().unwrap_or("?"))),
            };
            let log = d.action_log_id.as_deref().map_or(String::new(), |id| {
                let again = button(&format!("/sim/action-logs/{id}/redeliver"), "Deliver again", &[]);
                format!("<code>{}</code> {again}", esc(id))
            });
            format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td><code>{}</code></td><td>{log}</td><td>{}</td><td>{outcome}</td><td><code>{}</code></td></tr>",
                date(d.at),
                esc(&d.event),
                esc(d.body["data"]["actionLog"]["type"].as_str().unwrap_or("")),
                esc(&d.session_id),
                d.attempt,
                esc(&d.request_id),
            )
        })
        .collect();
    format!(
        "<h2>Recent webhook deliveries</h2><p><a href=\"/sim\">Refresh</a> · <a href=\"/sim/deliveries\">JSON</a></p>\
         <table><tr><th>at</th><th>event</th><th>type</th><th>session</th><th>action log</th><th>attempt</th><th>answer</th><th>requestId</th></tr>{rows}</table>"
    )
}

/// `GET /avatars/{name}.svg`: the name's initials on a colour derived from it.
async fn avatar(Path(file): Path<String>) -> Response {
    let Some(name) = file.strip_suffix(".svg") else {
        return nest::not_found(&format!("Cannot GET /avatars/{file}"));
    };
    let initials: String = name
        .split(['-', '_', ' ', '.'])
        .filter_map(|part| part.chars().next())
        .take(2)
        .flat_map(char::to_uppercase)
        .collect();
    let hue = name
        .bytes()
        .fold(7u32, |h, b| h.wrapping_mul(31).wrapping_add(b.into()))
        % 360;
    let svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"96\" height=\"96\" viewBox=\"0 0 96 96\">\
         <circle cx=\"48\" cy=\"48\" r=\"48\" fill=\"hsl({hue},55%,45%)\"/>\
         <text x=\"48\" y=\"48\" dy=\".35em\" text-anchor=\"middle\" font-family=\"sans-serif\" font-size=\"38\" fill=\"#fff\">{}</text></svg>",
        esc(&initials)
    );
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        svg,
    )
        .into_response()
}
