//! The plain HTTP handlers (no pages, no server functions), each with its body limit.

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post, put};
use axum::Router;

use crate::state::AppState;
use crate::{
    account, content, customers, media, memberships, payments, purchases, selling, settings,
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/media/{id}/thumbnail.jpg",
            get(media::frame_thumbnail::thumbnail),
        )
        .route(
            "/media/{id}/thumbnail-480.jpg",
            get(media::frame_thumbnail::small_thumbnail),
        )
        .route("/media/{id}/hls/{*path}", get(media::hls::serve))
        // Reads no more than the part's own size, once the caller and the upload are checked.
        .route(
            "/media/uploads/{id}/parts/{index}",
            put(media::upload::put_part),
        )
        .route("/content/{id}/thumbnail", get(content::cover_image::serve))
        .route(
            "/content/{id}/captions/{file}",
            get(content::captions::serve),
        )
        .route(
            "/content/{id}/downloads/{file}",
            get(content::downloads::open),
        )
        .route("/downloads/{file}", get(content::downloads::serve))
        // The file is streamed to a temporary file as it arrives, never held in memory.
        .route(
            "/admin/content/{id}/downloads",
            post(content::downloads::upload).layer(DefaultBodyLimit::max(
                content::downloads::DOWNLOADS_BODY_LIMIT,
            )),
        )
        .route(
            "/admin/content/{id}/captions",
            post(content::captions::upload).layer(DefaultBodyLimit::max(
                content::captions::CAPTIONS_BODY_LIMIT,
            )),
        )
        .route(
            "/admin/content/{id}/thumbnail",
            post(content::cover_image::upload).layer(DefaultBodyLimit::max(
                content::cover_image::THUMBNAIL_BODY_LIMIT,
            )),
        )
        .route("/webhooks/stripe", post(payments::webhook::receive))
        .route("/checkout/start", post(payments::buy::start))
        .route("/memberships/checkout", post(payments::subscribe::checkout))
        .route("/memberships/welcome", get(memberships::portal::welcome))
        .route("/memberships/portal", post(memberships::portal::portal))
        .route(
            "/memberships/return",
            get(memberships::portal::portal_return),
        )
        .route("/receipt/{purchase}", get(selling::receipt_link::open))
        .route(
            "/admin/purchases.csv",
            get(purchases::export::purchases_csv),
        )
        .route(
            "/admin/customers.csv",
            get(customers::export::customers_csv),
        )
        .route("/site/logo", get(settings::logo::serve))
        .route(
            "/admin/settings/logo",
            post(settings::logo::upload)
                .layer(DefaultBodyLimit::max(settings::logo::LOGO_BODY_LIMIT)),
        )
        .route(
            "/account/avatar",
            post(account::avatar::upload)
                .layer(DefaultBodyLimit::max(account::avatar::AVATAR_BODY_LIMIT)),
        )
        .route("/account/avatar/{user}", get(account::avatar::serve))
}
