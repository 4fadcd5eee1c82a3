//! `/account`'s "Signed-in devices": where the account is signed in (device, network, when
//! it was last active), each other one with "Sign out there".

use leptos::prelude::*;

use super::api::{my_sign_ins, SignOutDevice};
use crate::ui::{action_error, FormAlert, LoadError};
use domain::devices::ago;

#[component]
pub fn SignedInDevices() -> impl IntoView {
    let sign_out = ServerAction::<SignOutDevice>::new();
    let devices = Resource::new(move || sign_out.version().get(), |_| my_sign_ins());
    view! {
        <section class="card">
            <h2>"Signed-in devices"</h2>
            <FormAlert error=action_error(sign_out)/>
            <Transition fallback=|| view! { <p>"Loading…"</p> }>
                {move || devices.get().map(|result| match result {
                    Ok(list) => view! {
                        <ul class="stream-list">
                            {list.into_iter().map(|device| {
                                let label = if device.this_device {
                                    format!("{} (this device)", device.device)
                                } else {
                                    device.device.clone()
                                };
                                let meta = format!(
                                    "network {} · signed in {} · active {}",
                                    device.network,
                                    ago(device.signed_in_seconds_ago),
                                    ago(device.last_active_seconds_ago)
                                );
                                let name = label.clone();
                                view! {
                                    <li class="stream" aria-label=name>
                                        <div>
                                            <strong>{label}</strong>
                                            <span class="meta">{meta}</span>
                                        </div>
                                        {(!device.this_device).then(|| view! {
                                            <ActionForm action=sign_out>
                                                <input type="hidden" name="id" value=device.id.to_string()/>
                                                <button type="submit" class="button secondary">"Sign out there"</button>
                                            </ActionForm>
                                        })}
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(error) => view! { <LoadError error/> }.into_any(),
                })}
            </Transition>
        </section>
    }
}
