//! What both targets share: one session of a file-exporter client (in a temporary directory),
//! and C strings cut from the fuzzer's bytes.

use std::ffi::{CString, c_char};
use std::sync::OnceLock;

use agentops::{agentops_client, agentops_options, agentops_session, agentops_status};

#[allow(improper_ctypes)] // the handles are opaque: only pointers to them cross
unsafe extern "C" {
    pub fn agentops_options_new(out: *mut *mut agentops_options) -> agentops_status;
    pub fn agentops_options_set(
        o: *mut agentops_options,
        k: *const c_char,
        v: *const c_char,
    ) -> agentops_status;
    pub fn agentops_options_free(o: *mut agentops_options);
    pub fn agentops_client_new(
        o: *const agentops_options,
        out: *mut *mut agentops_client,
    ) -> agentops_status;
    pub fn agentops_session_start(
        c: *const agentops_client,
        tags: *const c_char,
        inherited: *const c_char,
        out: *mut *mut agentops_session,
    ) -> agentops_status;
    pub fn agentops_record_json(s: *const agentops_session, json: *const c_char)
    -> agentops_status;
    pub fn agentops_record_action(
        s: *const agentops_session,
        action_type: *const c_char,
        params: *const c_char,
        returns: *const c_char,
    ) -> agentops_status;
}

struct Shared(*mut agentops_session);
// SAFETY: the library's handles may be used from any thread.
unsafe impl Send for Shared {}
unsafe impl Sync for Shared {}

/// The fuzzing session (created once; never freed: the process ends with the fuzzer).
pub fn session() -> *const agentops_session {
    static SESSION: OnceLock<Shared> = OnceLock::new();
    SESSION
        .get_or_init(|| unsafe {
            let dir = std::env::temp_dir().join(format!("agentops-fuzz-{}", std::process::id()));
            let dir = CString::new(dir.display().to_string()).unwrap();
            let mut options = std::ptr::null_mut();
            agentops_options_new(&mut options);
            agentops_options_set(options, c"exporter".as_ptr(), c"file".as_ptr());
            agentops_options_set(options, c"export_dir".as_ptr(), dir.as_ptr());
            // A small buffer, so a long run never holds much.
            agentops_options_set(options, c"max_buffered_events".as_ptr(), c"1000".as_ptr());
            let mut client = std::ptr::null_mut();
            assert_eq!(agentops_client_new(options, &mut client) as i32, 0);
            agentops_options_free(options);
            let mut session = std::ptr::null_mut();
            assert_eq!(
                agentops_session_start(client, std::ptr::null(), std::ptr::null(), &mut session)
                    as i32,
                0
            );
            Shared(session)
        })
        .0
}

/// The bytes up to the first NUL, as a C string (any bytes: invalid UTF-8 included).
pub fn c_string(bytes: &[u8]) -> CString {
    let end = bytes.iter().position(|b| *b == 0).unwrap_or(bytes.len());
    CString::new(&bytes[..end]).unwrap()
}
