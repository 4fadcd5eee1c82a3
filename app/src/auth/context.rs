//! The signed-in user, shared by every page, refreshed whenever an action changes who is
//! signed in.

use leptos::prelude::*;

use super::api::{current_user, Login, Logout, Register, SetupOwner};
use super::types::UserView;
use crate::error::AppError;

#[derive(Clone, Copy)]
pub struct AuthContext {
    pub user: Resource<Result<Option<UserView>, AppError>>,
    pub login: ServerAction<Login>,
    pub logout: ServerAction<Logout>,
    pub register: ServerAction<Register>,
    pub setup: ServerAction<SetupOwner>,
}

pub fn provide_auth() -> AuthContext {
    let login = ServerAction::<Login>::new();
    let logout = ServerAction::<Logout>::new();
    let register = ServerAction::<Register>::new();
    let setup = ServerAction::<SetupOwner>::new();
    let user = Resource::new(
        move || {
            (
                login.version().get(),
                logout.version().get(),
                register.version().get(),
                setup.version().get(),
            )
        },
        |_| current_user(),
    );
    let auth = AuthContext {
        user,
        login,
        logout,
        register,
        setup,
    };
    provide_context(auth);
    auth
}

pub fn use_auth() -> AuthContext {
    expect_context::<AuthContext>()
}
