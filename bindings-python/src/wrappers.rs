//! One Python object per core session, so that `agentops.get_session(id) is session` as in
//! agentops 0.3. Weak references only: the core's registry decides which sessions exist;
//! this only remembers which Python object stands for each.

use std::collections::HashMap;
use std::sync::Mutex;

use agentops_core::Session;
use pyo3::prelude::*;
use pyo3::types::{PyWeakrefMethods, PyWeakrefReference};
use uuid::Uuid;

use crate::session::PySession;

/// Dead entries are pruned once the map grows past this.
const PRUNE_AT: usize = 64;

#[derive(Default)]
pub struct SessionWrappers {
    objects: Mutex<HashMap<Uuid, Py<PyWeakrefReference>>>,
}

impl SessionWrappers {
    /// The Python object of `session`, made on first sight.
    pub fn wrap<'py>(&self, py: Python<'py>, session: Session) -> PyResult<Bound<'py, PySession>> {
        let mut objects = self.objects.lock().unwrap_or_else(|e| e.into_inner());
        let id = session.id();
        if let Some(existing) = objects.get(&id).and_then(|w| w.bind(py).upgrade()) {
            if let Ok(existing) = existing.cast_into::<PySession>() {
                return Ok(existing);
            }
        }
        let object = Bound::new(py, PySession::new(py, session)?)?;
        if objects.len() >= PRUNE_AT {
            objects.retain(|_, w| w.bind(py).upgrade().is_some());
        }
        objects.insert(id, PyWeakrefReference::new(object.as_any())?.unbind());
        Ok(object)
    }
}
