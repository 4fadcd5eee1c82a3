//! The server functions the tests call, by type: a test calls `fns::Login::PATH`, the path
//! the function itself declares, never a string that could drift from it.

pub use leptos::server_fn::ServerFn;

pub use app::account::api::{
    ChangeEmail, ChangePassword, MyAvatar, MySignIns, SignOutDevice, UpdateName,
};
pub use app::analytics::api::{
    CustomerWatched, ItemHeadline, LoadAnalytics, LoadItemAnalytics, RefreshAnalytics,
};
pub use app::auth::api::{
    CurrentUser, ForgotPassword, Login, Logout, Register, ResendVerification, ResetPassword,
    SetupOwner, VerifyEmail,
};
pub use app::content::api::{
    Catalog, ChaptersOf, ContentBySlug, ContentOwnerCount, DeleteContent, DownloadsOf,
    GetFreeAccess, ListCaptions, ListContent, ListDownloads, LoadContent, LoadShopWindow,
    PublishContent, RemoveCaptions, RemoveDownload, SaveChapters, SaveContent, UnpublishContent,
};
pub use app::content::categories::{
    AddCategory, DeleteCategory, ListCategories, MoveCategory, RenameCategory,
};
pub use app::customers::api::{ListCustomers, LoadCustomer};
pub use app::dashboard::api::LoadDashboard;
pub use app::email::api::{ListOutbox, ResendEmail};
pub use app::jobs::api::{BackgroundJobs, RetryJob};
pub use app::library::api::LoadLibrary;
pub use app::marketing::api::{
    AddAutomationStep, BroadcastsOverview, CreateBroadcast, CustomerEmails, DeleteAutomationStep,
    DeleteBroadcast, EmailPreferences, LoadBroadcast, SaveAbandonedCheckout, SaveEmailPreferences,
    SendBroadcast, SendTestBroadcast, Unsubscribe,
};
pub use app::media::api::{
    CompleteUpload, DeleteMedia, ListMedia, ResumeUpload, RetryMedia, StartUpload,
};
pub use app::memberships::api::{
    CreateTier, FlaggedMemberships, ListTiers, LoadPricing, MembershipPayments, RetireTier,
    TiersForItem,
};
pub use app::playback::api::{LoadWatch, RenewPlayback, SaveProgress};
pub use app::podcast::api::{GetFeedNetworks, MyPodcastFeed, ResetPodcastFeed, SaveFeedNetworks};
pub use app::purchases::api::{
    AdminPurchases, ConfirmCheckout, GrantAccess, MyPurchases, PurchaseReceipt, RefundPurchase,
    RevokeGrant,
};
pub use app::security_log::api::ListSecurityLog;
pub use app::selling::api::{
    CreateDiscount, ListDiscounts, LoadBundleContents, QuoteDiscount, SaveBundleItems,
    SaveSellingOptions,
};
pub use app::settings::api::{
    GetSettings, ListTimezones, PreviewEmail, SaveSettings, SaveStorefront,
};
pub use app::streams::api::{
    GetStreamLimit, MyStreams, SaveStreamLimit, SaveTierStreams, StopStream,
};
pub use app::webhooks::api::{
    AddWebhookEndpoint, ListWebhookEndpoints, ResendWebhookDelivery, RollWebhookSecret,
    WebhookDeliveries,
};
