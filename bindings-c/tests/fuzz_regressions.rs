//! Inputs for the fuzz targets (`bindings-c/fuzz`) that must keep working: hostile seeds, and
//! every crash a fuzzing run ever found (saved into `bindings-c/fuzz/regressions/<target>/`).
//! Each is fed to the same C entry points as its target; each must give a status, not a panic.

use std::ffi::{CString, c_char};
use std::path::Path;

use agentops::{agentops_client, agentops_options, agentops_session, agentops_status};

#[allow(improper_ctypes)] // the handles are opaque: only pointers to them cross
unsafe extern "C" {
    fn agentops_options_new(out: *mut *mut agentops_options) -> agentops_status;
    fn agentops_options_set(
        o: *mut agentops_options,
        k: *const c_char,
        v: *const c_char,
    ) -> agentops_status;
    fn agentops_options_free(o: *mut agentops_options);
    fn agentops_client_new(
        o: *const agentops_options,
        out: *mut *mut agentops_client,
    ) -> agentops_status;
    fn agentops_client_free(c: *mut agentops_client);
    fn agentops_session_start(
        c: *const agentops_client,
        tags: *const c_char,
        inherited: *const c_char,
        out: *mut *mut agentops_session,
    ) -> agentops_status;
    fn agentops_session_free(s: *mut agentops_session);
    fn agentops_record_json(s: *const agentops_session, json: *const c_char) -> agentops_status;
    fn agentops_record_action(
        s: *const agentops_session,
        action_type: *const c_char,
        params: *const c_char,
        returns: *const c_char,
    ) -> agentops_status;
}

fn c_string(bytes: &[u8]) -> CString {
    let end = bytes.iter().position(|b| *b == 0).unwrap_or(bytes.len());
    CString::new(&bytes[..end]).unwrap()
}

fn inputs(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/regressions")
        .join(target);
    let mut found: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| (p.display().to_string(), std::fs::read(&p).unwrap()))
        .collect();
    found.sort();
    assert!(!found.is_empty(), "no inputs for {target}");
    found
}

/// A session of a file-exporter client in a temporary directory.
fn with_session(test: impl FnOnce(*const agentops_session)) {
    let dir =
        std::env::temp_dir().join(format!("agentops-fuzz-regressions-{}", std::process::id()));
    let dir = CString::new(dir.display().to_string()).unwrap();
    unsafe {
        let mut options = std::ptr::null_mut();
        agentops_options_new(&mut options);
        agentops_options_set(options, c"exporter".as_ptr(), c"file".as_ptr());
        agentops_options_set(options, c"export_dir".as_ptr(), dir.as_ptr());
        let mut client = std::ptr::null_mut();
        assert_eq!(
            agentops_client_new(options, &mut client),
            agentops_status::AGENTOPS_OK
        );
        agentops_options_free(options);
        let mut session = std::ptr::null_mut();
        assert_eq!(
            agentops_session_start(client, std::ptr::null(), std::ptr::null(), &mut session),
            agentops_status::AGENTOPS_OK
        );
        test(session);
        agentops_session_free(session);
        agentops_client_free(client);
    }
}

#[test]
fn record_json_inputs_give_a_status() {
    with_session(|session| {
        for (name, data) in inputs("record_json") {
            let text = c_string(&data);
            let status = unsafe { agentops_record_json(session, text.as_ptr()) };
            assert_ne!(status, agentops_status::AGENTOPS_ERR_PANIC, "{name}");
        }
    });
}

#[test]
fn record_strings_inputs_give_a_status() {
    with_session(|session| {
        for (name, data) in inputs("record_strings") {
            let parts: Vec<CString> = data.split(|b| *b == 0xff).map(c_string).collect();
            let part = |i: usize| parts.get(i).cloned().unwrap_or_default();
            let (action, params, returns, key, value) =
                (part(0), part(1), part(2), part(3), part(4));
            unsafe {
                let status = agentops_record_action(
                    session,
                    action.as_ptr(),
                    params.as_ptr(),
                    returns.as_ptr(),
                );
                assert_ne!(status, agentops_status::AGENTOPS_ERR_PANIC, "{name}");
                let mut options = std::ptr::null_mut();
                agentops_options_new(&mut options);
                let status = agentops_options_set(options, key.as_ptr(), value.as_ptr());
                assert_ne!(status, agentops_status::AGENTOPS_ERR_PANIC, "{name}");
                agentops_options_free(options);
            }
        }
    });
}
