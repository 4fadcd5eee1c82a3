//! A request allowed to outlast the server's request timeout: an upload, once its handler
//! knows the caller is the owner (a part is 8 MiB, a minute's worth on a slow uplink). The
//! server's timeout layer puts a [`LongRequest`] in every request and, when the time is up,
//! lets the request go on only if its handler has called [`LongRequest::allow`]; anyone else
//! is cut off as usual (the idle cut on a stalled body still applies to all).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

#[derive(Debug, Clone, Default)]
pub struct LongRequest(Arc<AtomicBool>);

impl LongRequest {
    /// Lets this request run past the request timeout.
    pub fn allow(&self) {
        self.0.store(true, Ordering::Release);
    }

    pub fn allowed(&self) -> bool {
        self.0.load(Ordering::Acquire)
    }
}
