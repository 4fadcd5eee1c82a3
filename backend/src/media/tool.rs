//! The external tools of the media pipeline (ffprobe, ffmpeg) as child processes that never
//! outlive their worker: killed when their future is dropped (a timeout), and, on Linux,
//! by the kernel when the worker process itself dies (a crash, SIGKILL), so a restarted
//! worker does not compete with orphans still encoding.

use tokio::process::Command;

pub fn command(program: &str) -> Command {
    let mut command = Command::new(program);
    command.kill_on_drop(true);
    #[cfg(target_os = "linux")]
    // SAFETY: prctl is async-signal-safe, and the closure touches no memory of the parent.
    unsafe {
        command.pre_exec(|| {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) == -1 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    command
}
