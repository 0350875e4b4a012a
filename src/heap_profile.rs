//! Heap profiling on request, for `bench/heap-profile.sh`: only in a build
//! with the `heap-profile` feature (off by default).
//!
//! On `SIGUSR2` the binary asks jemalloc to dump its sampled heap profile
//! (to the `prof_prefix` given in `_RJEM_MALLOC_CONF`, for `jeprof`) and
//! to print its statistics to stderr. A signal rather than a debugger's
//! `call`, because gdb cannot call into a running process on this
//! machine's VMs ("Couldn't write extended state status").

use std::ptr;

use tokio::signal::unix::{SignalKind, signal};

/// Dumps a profile and the statistics on every `SIGUSR2`, until the
/// process ends. Without `prof:true` in the allocator's settings the dump
/// fails and says so; the statistics still print.
pub async fn dump_on_signal() {
    let mut signals = match signal(SignalKind::user_defined2()) {
        Ok(signals) => signals,
        Err(err) => {
            tracing::warn!(error = %err, "heap-profile: cannot listen for SIGUSR2");
            return;
        }
    };
    while signals.recv().await.is_some() {
        // SAFETY: "prof.dump" with no old value and no new value (the
        // default file name) is a documented mallctl call, and the name is
        // a NUL-terminated literal.
        let dumped = unsafe {
            tikv_jemalloc_sys::mallctl(
                c"prof.dump".as_ptr(),
                ptr::null_mut(),
                ptr::null_mut(),
                ptr::null_mut(),
                0,
            )
        };
        tracing::warn!(result = dumped, "heap-profile: prof.dump");
        // SAFETY: no callback (jemalloc's default writer, stderr) and a
        // NUL-terminated literal for the options (per-arena lists left
        // out).
        unsafe { tikv_jemalloc_sys::malloc_stats_print(None, ptr::null_mut(), c"a".as_ptr()) };
    }
}
