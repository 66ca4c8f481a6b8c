//! A progress bar people and screen readers can read: `role=progressbar`
//! with `aria-valuenow`, and the percentage written out.

use leptos::prelude::*;

#[component]
pub fn ProgressBar(
    /// 0–100.
    #[prop(into)]
    value: Signal<u8>,
    /// What is progressing, for screen readers.
    #[prop(into)]
    label: String,
    /// `ok`, `bad` or empty: the bar's colour.
    #[prop(into, optional)]
    tone: Signal<&'static str>,
    #[prop(optional)] compact: bool,
) -> impl IntoView {
    let class = move || {
        let mut class = String::from("progress");
        if compact {
            class.push_str(" progress--compact");
        }
        match tone.get() {
            "" => {}
            tone => class.push_str(&format!(" progress--{tone}")),
        }
        class
    };
    view! {
        <div
            class=class
            role="progressbar"
            aria-label=label
            aria-valuemin="0"
            aria-valuemax="100"
            aria-valuenow=move || value.get().to_string()
            data-testid="progress"
        >
            <div class="progress__fill" style:width=move || format!("{}%", value.get().min(100))></div>
            {(!compact).then(|| view! { <span class="progress__text">{move || format!("{}%", value.get())}</span> })}
        </div>
    }
}
