//! Name resolution that remembers its answer. ureq resolves the host before every request,
//! even when it then reuses a pooled connection, and with a timeout set it does so on a
//! freshly spawned thread: a thread per request. The uploader talks to one endpoint, so
//! the answer is kept for a while (and forgotten when a connection fails, in case the
//! address moved).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ureq::config::Config;
use ureq::http::Uri;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::NextTimeout;

/// How long an answer is reused.
const KEEP_FOR: Duration = Duration::from_secs(60);

struct Answer {
    authority: String,
    at: Instant,
    addrs: ResolvedSocketAddrs,
}

/// Clones share the answer (the transport keeps one to call `forget`, the agent the other).
#[derive(Default, Clone)]
pub struct CachingResolver {
    inner: Arc<DefaultResolver>,
    // Only the uploader thread resolves; the lock is never contended.
    last: Arc<Mutex<Option<Answer>>>,
}

impl std::fmt::Debug for CachingResolver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CachingResolver")
    }
}

impl CachingResolver {
    /// Forgets the answer (after a connection error).
    pub fn forget(&self) {
        *self.last.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }
}

impl Resolver for CachingResolver {
    fn resolve(
        &self,
        uri: &Uri,
        config: &Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let authority = uri
            .authority()
            .map(|a| a.as_str().to_owned())
            .unwrap_or_default();
        let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(answer) = last.as_ref() {
            if answer.authority == authority && answer.at.elapsed() < KEEP_FOR {
                return Ok(answer.addrs.clone());
            }
        }
        let addrs = self.inner.resolve(uri, config, timeout)?;
        *last = Some(Answer {
            authority,
            at: Instant::now(),
            addrs: addrs.clone(),
        });
        Ok(addrs)
    }
}
