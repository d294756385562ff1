//! One lock on the dashboard: a summary row (wearer, lock, time, box) that expands into the
//! lock's card with its controls. Pure layout: the row's data and the card come in through props.

use super::mapper::RowData;
use crate::session::components::Avatar;
use leptos::prelude::*;

/// The summary row and, when expanded, `children` (the card).
#[component]
pub fn LockRow(
    /// The element id of the expandable part, unique on the page.
    panel_id: String,
    /// What the row shows.
    row: Signal<RowData>,
    /// The lock's card with its controls.
    children: ChildrenFn,
) -> impl IntoView {
    let expanded = RwSignal::new(false);
    let initial = move || row.with(|r| r.initial.clone());
    let avatar = move || row.with(|r| r.avatar_url.clone());
    view! {
        <article class="lock-row" data-testid="dashboard-row"
            data-ended=move || row.with(|r| r.ended.to_string())>
            <button class="lock-row-toggle" type="button" data-testid="dashboard-row-toggle"
                aria-expanded=move || expanded.get().to_string() aria-controls=panel_id.clone()
                on:click=move |_| expanded.update(|e| *e = !*e)>
                {move || view! { <Avatar initial=initial() url=avatar() /> }}
                <span class="lock-row-text">
                    <span class="lock-row-title" data-testid="row-title">
                        {move || row.with(|r| r.title.clone())}
                    </span>
                    <span class="muted" data-testid="row-wearer">
                        {move || row.with(|r| r.wearer.clone())}
                    </span>
                </span>
                <span class="lock-row-time" data-testid="row-time">
                    {move || row.with(|r| r.time.clone())}
                </span>
                <span class=move || format!("badge {}", row.with(|r| r.badge.class))
                    data-testid="row-badge">
                    {move || row.with(|r| r.badge.text)}
                </span>
                <span class="lock-row-chevron" aria-hidden="true"></span>
            </button>
            <div class="lock-row-panel" id=panel_id hidden=move || !expanded.get()>
                {children()}
            </div>
        </article>
    }
}
