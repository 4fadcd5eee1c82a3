//! `/admin/emails/broadcasts`: the owner's broadcasts (write one, the list with how each
//! went), how many people may get marketing email, and the abandoned checkout email.

use leptos::prelude::*;

use super::api::{
    broadcasts_overview, categories, AddAutomationStep, BroadcastsData, CreateBroadcast,
    DeleteAutomationStep, SaveAbandonedCheckout,
};
use super::{AbandonedCheckout, Automation, BroadcastSummary, StepView};
use crate::content::api::list_content;
use crate::memberships::api::list_tiers;
use crate::selling::item_choice::ItemChoice;
use crate::ui::{
    action_error, action_succeeded, hydrated, FormAlert, FormNotice, LoadError, PageHead,
};
use domain::content::price_label;

#[component]
pub fn BroadcastsPage() -> impl IntoView {
    let save_abandoned = ServerAction::<SaveAbandonedCheckout>::new();
    let add_step = ServerAction::<AddAutomationStep>::new();
    let delete_step = ServerAction::<DeleteAutomationStep>::new();
    let overview = Resource::new(
        move || {
            (
                save_abandoned.version().get(),
                add_step.version().get(),
                delete_step.version().get(),
            )
        },
        |_| broadcasts_overview(),
    );
    view! {
        <PageHead title="Broadcasts" description="Emails to the customers who asked for news and new releases."/>
        <h1>"Broadcasts"</h1>
        <p><a class="button button-primary" href="#new-broadcast">"New broadcast"</a></p>
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || overview.get().map(|result| match result {
                Ok(overview) => view! { <Overview overview save_abandoned delete_step/> }.into_any(),
                Err(error) => view! { <LoadError error/> }.into_any(),
            })}
        </Transition>
        <ComposeForm/>
        <StepForm add=add_step/>
    }
}

#[component]
fn Overview(
    overview: BroadcastsData,
    save_abandoned: ServerAction<SaveAbandonedCheckout>,
    delete_step: ServerAction<DeleteAutomationStep>,
) -> impl IntoView {
    let BroadcastsData {
        broadcasts,
        abandoned,
        steps,
        subscribers,
    } = overview;
    view! {
        <p class="hint">{format!(
            "{subscribers} {} may get marketing email: customers who ticked \"Send me news and new releases\", verified their address, and have not unsubscribed or bounced.",
            if subscribers == 1 { "customer" } else { "customers" }
        )}</p>
        {if broadcasts.is_empty() {
            view! { <p class="empty">"No broadcasts yet. Write one below."</p> }.into_any()
        } else {
            view! { <BroadcastTable list=broadcasts/> }.into_any()
        }}
        <AbandonedCheckoutForm settings=abandoned save=save_abandoned/>
        <StepTable steps delete=delete_step/>
    }
}

#[component]
fn StepTable(steps: Vec<StepView>, delete: ServerAction<DeleteAutomationStep>) -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="sequences-heading">
            <h2 id="sequences-heading">"Sequences"</h2>
            <p class="hint">"Emails that follow a customer's step: verifying their address, buying an item, a membership ending. Each goes once per person, only to those who asked for news, and stops when its reason goes away (the item refunded, a member again)."</p>
            <FormAlert error=action_error(delete)/>
            {if steps.is_empty() {
                view! { <p class="empty">"No sequence emails yet. Add one below."</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap" tabindex="0">
                        <table class="table" aria-label="Sequence emails">
                            <thead><tr>
                                <th scope="col">"Sequence"</th><th scope="col">"Item"</th><th scope="col">"Days after"</th>
                                <th scope="col">"Subject"</th><th scope="col">"Sent"</th><th scope="col">"Stopped"</th>
                                <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                            </tr></thead>
                            <tbody>
                                {steps.into_iter().map(|step| view! {
                                    <tr>
                                        <td data-label="Sequence">{step.automation.label()}</td>
                                        <td data-label="Item">{step.item.unwrap_or_default()}</td>
                                        <td data-label="Days after">{step.delay_days}</td>
                                        <td data-label="Subject">
                                            <details>
                                                <summary>{step.subject.clone()}</summary>
                                                <iframe class="email-frame" title=format!("Preview: {}", step.subject) sandbox="" srcdoc=step.preview_html></iframe>
                                            </details>
                                        </td>
                                        <td data-label="Sent">{step.sent}</td>
                                        <td data-label="Stopped">{step.stopped}</td>
                                        <td>
                                            <ActionForm action=delete attr:class="inline-form">
                                                <input type="hidden" name="id" value=step.id.to_string()/>
                                                <button type="submit" class="button button-small">"Delete"</button>
                                            </ActionForm>
                                        </td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn StepForm(add: ServerAction<AddAutomationStep>) -> impl IntoView {
    let items = Resource::new(|| (), |_| list_content(None));
    let ready = hydrated();
    view! {
        <section class="card" aria-labelledby="new-step-heading">
            <h2 id="new-step-heading">"New sequence email"</h2>
            <ActionForm action=add attr:class="form">
                <div class="field">
                    <label for="step-automation">"Sequence"</label>
                    <select id="step-automation" name="automation">
                        {Automation::ALL.into_iter().map(|a| view! { <option value=a.as_str()>{a.label()}</option> }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="step-item">"Item (after a purchase)"</label>
                    <select id="step-item" name="content_id">
                        <option value="">"—"</option>
                        <Suspense>
                            {move || items.get().map(|result| result.unwrap_or_default().into_iter().map(|item| view! {
                                <option value=item.id.to_string()>{item.title}</option>
                            }).collect_view())}
                        </Suspense>
                    </select>
                </div>
                <div class="field">
                    <label for="step-delay">"Days after"</label>
                    <input id="step-delay" name="delay_days" type="number" min="0" max="365" required value="1"/>
                </div>
                <div class="field">
                    <label for="step-subject">"Email subject"</label>
                    <input id="step-subject" name="subject" required maxlength="200" autocomplete="off"/>
                </div>
                <div class="field">
                    <label for="step-body">"Email message"</label>
                    <textarea id="step-body" name="body" required rows="6" maxlength="50000"></textarea>
                </div>
                <FormAlert error=action_error(add)/>
                <FormNotice show=action_succeeded(add) message="Sequence email added."/>
                <button type="submit" class="button" disabled=move || !ready.get()>"Add email"</button>
            </ActionForm>
        </section>
    }
}

#[component]
fn BroadcastTable(list: Vec<BroadcastSummary>) -> impl IntoView {
    view! {
        <div class="table-wrap" tabindex="0">
            <table class="table" aria-label="Broadcasts">
                <thead><tr>
                    <th scope="col">"Subject"</th><th scope="col">"Segment"</th><th scope="col">"Status"</th>
                    <th scope="col">"When"</th><th scope="col">"Recipients"</th><th scope="col">"Sent"</th>
                    <th scope="col">"Failed"</th><th scope="col">"Bounced"</th><th scope="col">"Skipped"</th>
                    <th scope="col">"Unsubscribed"</th>
                </tr></thead>
                <tbody>
                    {list.into_iter().map(|b| {
                        let when = b.send_at.format(&time::format_description::well_known::Rfc3339).unwrap_or_default();
                        view! {
                            <tr>
                                <td data-label="Subject"><a href=domain::paths::admin_broadcast(b.id)>{b.subject}</a></td>
                                <td data-label="Segment">{b.segment}</td>
                                <td data-label="Status"><span class=format!("badge badge-{}", b.status)>{b.status.clone()}</span></td>
                                <td data-label="When"><time datetime=when.clone()>{when.clone()}</time></td>
                                <td data-label="Recipients">{b.recipients}</td>
                                <td data-label="Sent">{b.sent}</td>
                                <td data-label="Failed">{b.failed}</td>
                                <td data-label="Bounced">{b.bounced}</td>
                                <td data-label="Skipped">{b.skipped}</td>
                                <td data-label="Unsubscribed">{b.unsubscribed}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn ComposeForm() -> impl IntoView {
    let create = ServerAction::<CreateBroadcast>::new();
    let tiers = Resource::new(|| (), |_| list_tiers());
    let ready = hydrated();
    view! {
        <section class="card" id="new-broadcast" aria-labelledby="new-broadcast-heading">
            <h2 id="new-broadcast-heading">"New broadcast"</h2>
            <ActionForm action=create attr:class="form">
                <div class="field">
                    <label for="broadcast-subject">"Subject"</label>
                    <input id="broadcast-subject" name="subject" required maxlength="200" autocomplete="off"/>
                </div>
                <div class="field">
                    <label for="broadcast-body">"Message"</label>
                    <textarea id="broadcast-body" name="body" required rows="10" maxlength="50000" aria-describedby="broadcast-body-hint"></textarea>
                    <p id="broadcast-body-hint" class="hint">"Markdown: **bold**, *italic*, [a link](https://…), # a heading, - a list. Your brand, the reason they get it and an unsubscribe link are added."</p>
                </div>
                <div class="field">
                    <label for="broadcast-category">"Kind of email"</label>
                    <select id="broadcast-category" name="category">
                        {categories().into_iter().map(|(value, label)| view! { <option value=value>{label}</option> }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="broadcast-segment">"Segment"</label>
                    <select id="broadcast-segment" name="segment">
                        <option value="everyone">"Everyone who consented"</option>
                        <option value="buyers">"Buyers of the items ticked below"</option>
                        <option value="members">"Members of the tier chosen below"</option>
                        <option value="lapsed">"Customers with no purchase in the days below"</option>
                        <option value="free_only">"Free-only customers (never paid)"</option>
                    </select>
                </div>
                <fieldset class="field">
                    <legend>"Items (for buyers)"</legend>
                    <ItemChoice prefix="broadcast-item"/>
                </fieldset>
                <div class="field">
                    <label for="broadcast-tier">"Tier (for members)"</label>
                    <select id="broadcast-tier" name="tier">
                        <option value="">"—"</option>
                        <Suspense>
                            {move || tiers.get().map(|result| result.unwrap_or_default().into_iter().map(|tier| view! {
                                <option value=tier.id.to_string()>{tier.name}</option>
                            }).collect_view())}
                        </Suspense>
                    </select>
                </div>
                <div class="field">
                    <label for="broadcast-days">"Days without a purchase"</label>
                    <input id="broadcast-days" name="days" type="number" min="1" max="3650" value="90"/>
                </div>
                <FormAlert error=action_error(create)/>
                <p class="hint">"It is saved as a draft: you see who it reaches and preview it before anyone gets it."</p>
                <button type="submit" class="button button-primary" disabled=move || !ready.get()>"Save draft"</button>
            </ActionForm>
        </section>
    }
}

#[component]
fn AbandonedCheckoutForm(
    settings: AbandonedCheckout,
    save: ServerAction<SaveAbandonedCheckout>,
) -> impl IntoView {
    let figures = format!(
        "{} sent; {} checkouts recovered, {} in revenue.",
        settings.sent,
        settings.recovered,
        price_label(i32::try_from(settings.recovered_cents).unwrap_or(i32::MAX))
    );
    view! {
        <section class="card" aria-labelledby="abandoned-heading">
            <h2 id="abandoned-heading">"Abandoned checkout"</h2>
            <p class="hint">"When a customer who asked for news leaves a checkout unpaid, one email brings them back to the item: never twice for the same item, never once they have it."</p>
            <p>{figures}</p>
            <ActionForm action=save attr:class="form">
                <div class="field-checkbox">
                    <input id="abandoned-enabled" type="checkbox" name="enabled" value="on" checked=settings.enabled/>
                    <label for="abandoned-enabled">"Send abandoned checkout emails"</label>
                </div>
                <div class="field">
                    <label for="abandoned-delay">"Send after (hours)"</label>
                    <input id="abandoned-delay" name="delay_hours" type="number" min="1" max="168" required value=settings.delay_hours.to_string()/>
                </div>
                <div class="field">
                    <label for="abandoned-code">"Discount code in the email"</label>
                    <input id="abandoned-code" name="discount_code" maxlength="40" autocomplete="off" value=settings.discount_code/>
                </div>
                <FormAlert error=action_error(save)/>
                <FormNotice show=action_succeeded(save) message="Abandoned checkout email saved."/>
                <button type="submit" class="button">"Save"</button>
            </ActionForm>
        </section>
    }
}
