//! The signed-in user, shared by every page, refreshed whenever an action changes who is
//! signed in.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;

use super::api::{current_user, Logout};
use super::types::UserView;
use crate::error::AppError;

#[derive(Clone, Copy)]
pub struct AuthContext {
    pub user: Resource<Result<Option<UserView>, AppError>>,
    pub logout: ServerAction<Logout>,
    refresh: RwSignal<u32>,
}

impl AuthContext {
    /// Reloads the user whenever `action` (login, registration, ...) completes.
    ///
    /// Page actions are created inside the routes, where a form posted without JavaScript
    /// finds its error again; so they are registered here instead of living in the context.
    pub fn refresh_after<S>(&self, action: ServerAction<S>)
    where
        S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
        S::Output: Clone + Send + Sync + 'static,
    {
        let refresh = self.refresh;
        let version = action.version();
        Effect::watch(
            move || version.get(),
            move |_, _, _| refresh.update(|n| *n += 1),
            false,
        );
    }
}

pub fn provide_auth() -> AuthContext {
    let logout = ServerAction::<Logout>::new();
    let refresh = RwSignal::new(0);
    let user = Resource::new(
        move || (refresh.get(), logout.version().get()),
        |_| current_user(),
    );
    let auth = AuthContext {
        user,
        logout,
        refresh,
    };
    provide_context(auth);
    auth
}

pub fn use_auth() -> AuthContext {
    expect_context::<AuthContext>()
}
