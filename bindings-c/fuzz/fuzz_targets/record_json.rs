//! `agentops_record_json` with any bytes: the core's event decoder behind the C boundary.
//! Every input must give a status (never a crash, a hang or a panic code).
#![no_main]

#[path = "common.rs"]
mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = common::c_string(data);
    let status = unsafe { common::agentops_record_json(common::session(), text.as_ptr()) };
    assert_ne!(status as i32, 15, "AGENTOPS_ERR_PANIC for {data:?}");
});
