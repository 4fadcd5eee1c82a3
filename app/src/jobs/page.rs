use leptos::prelude::*;

use super::api::{background_jobs, RetryJob};
use crate::ui::{
    action_error, action_succeeded, hydrated, FormAlert, FormNotice, LoadError, PageHead,
};
use domain::jobs::{JobStatus, JobView};

#[component]
pub fn JobsPage() -> impl IntoView {
    let retry = ServerAction::<RetryJob>::new();
    let jobs = Resource::new(move || retry.version().get(), |_| background_jobs());
    let ready = hydrated();
    view! {
        <PageHead title="Background work" description="Background work: media encodes, emails and deliveries, and what failed."/>
        <h1>"Background work"</h1>
        <p class="hint">"Work the site does on its own: periodic clean-ups and checks with Stripe. Failed work is retried by itself a few times, then kept here with its error."</p>
        <FormAlert error=action_error(retry)/>
        <FormNotice show=action_succeeded(retry) message="Queued to run again."/>
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || jobs.get().map(|result| match result {
                Ok(list) if list.is_empty() => view! { <p>"Nothing waiting, running or failed."</p> }.into_any(),
                Ok(list) => view! { <JobsTable list retry ready/> }.into_any(),
                Err(error) => view! { <LoadError error/> }.into_any(),
            })}
        </Transition>
    }
}

#[component]
fn JobsTable(
    list: Vec<JobView>,
    retry: ServerAction<RetryJob>,
    ready: Signal<bool>,
) -> impl IntoView {
    view! {
        <div class="table-wrap" tabindex="0">
            <table class="table" aria-label="Background work">
                <thead><tr>
                    <th scope="col">"Work"</th><th scope="col">"Status"</th>
                    <th scope="col">"Tries"</th><th scope="col">"Runs at"</th>
                    <th scope="col">"Last error"</th>
                    <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                </tr></thead>
                <tbody>
                    {list.into_iter().map(|job| {
                        let label = format!("Retry {} (job {})", job.kind, job.id);
                        let failed = job.status == JobStatus::Failed;
                        view! {
                            <tr>
                                <td data-label="Work"><code>{job.kind}</code></td>
                                <td data-label="Status">{job.status.label()}</td>
                                <td data-label="Tries">{format!("{} of {}", job.attempts, job.max_attempts)}</td>
                                <td data-label="Runs at">{job.run_at}</td>
                                <td data-label="Last error">{job.last_error.unwrap_or_default()}</td>
                                <td>
                                    {failed.then(|| view! {
                                        <ActionForm action=retry attr:class="inline-form">
                                            <input type="hidden" name="id" value=job.id.to_string()/>
                                            <button type="submit" class="button button-small" aria-label=label disabled=move || !ready.get()>"Retry"</button>
                                        </ActionForm>
                                    })}
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
