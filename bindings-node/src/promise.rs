//! Promises settled by a Rust thread: a wait (flush, ending a session, shutdown) runs off
//! the JS thread and off libuv's small thread pool, which the application needs for its
//! own file and DNS work. A pending promise keeps the event loop alive until it settles,
//! which is bounded by the wait's own timeout.

use napi::bindgen_prelude::{Env, Object, ToNapiValue};

use crate::errors::{JsResult, from_napi};

type Resolver<T> = Box<dyn FnOnce(Env) -> napi::Result<T> + Send>;

/// A promise of what `work` returns, run on a new thread.
pub fn settled_by_thread<'env, T, F>(env: &'env Env, work: F) -> JsResult<Object<'env>>
where
    T: ToNapiValue + Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    let (deferred, promise) = env.create_deferred::<T, Resolver<T>>().map_err(from_napi)?;
    let spawned = std::thread::Builder::new()
        .name("agentops-wait".into())
        .spawn(move || {
            let value = work();
            deferred.resolve(Box::new(move |_| Ok(value)));
        });
    if let Err(err) = spawned {
        return Err(from_napi(napi::Error::from_reason(format!(
            "could not start a thread to wait on: {err}"
        ))));
    }
    Ok(promise)
}
