//! The string entry points with any bytes: `agentops_record_action` (a name and two JSON
//! payloads) and `agentops_options_set`, the input cut into parts at 0xFF bytes. Every input
//! must give a status, never a panic.
#![no_main]

#[path = "common.rs"]
mod common;

use libfuzzer_sys::fuzz_target;

const PANIC: i32 = 15;

fuzz_target!(|data: &[u8]| {
    let mut parts = data.split(|b| *b == 0xff).map(common::c_string);
    let mut next = || parts.next().unwrap_or_default();
    let (name, params, returns, key, value) = (next(), next(), next(), next(), next());
    let session = common::session();
    unsafe {
        let status = common::agentops_record_action(
            session,
            name.as_ptr(),
            params.as_ptr(),
            returns.as_ptr(),
        );
        assert_ne!(status as i32, PANIC);
        let mut options = std::ptr::null_mut();
        common::agentops_options_new(&mut options);
        assert_ne!(
            common::agentops_options_set(options, key.as_ptr(), value.as_ptr()) as i32,
            PANIC
        );
        common::agentops_options_free(options);
    }
});
