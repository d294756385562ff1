//! Servers under test as child processes, so that each one's memory can be read from `/proc`:
//! the real `sesame-opener` release binary, and the bare axum baseline (this binary again).

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use tokio::process::{Child, Command};

const START_TIMEOUT: Duration = Duration::from_secs(60);

/// A server process on `url`; killed when dropped.
pub struct ChildServer {
    pub url: String,
    pub pid: u32,
    child: Child,
    log: PathBuf,
}

impl ChildServer {
    /// Starts `program args…` with exactly `env` (nothing inherited, so a stray `RUST_LOG` or
    /// `CONFIG_FILE` cannot change what is measured) plus `BIND_ADDR` on a free loopback port,
    /// and waits until `ready_path` answers 200. Output goes to `log`.
    pub async fn start(
        program: &Path,
        args: &[&str],
        env: &[(String, String)],
        ready_path: &str,
        log: PathBuf,
    ) -> anyhow::Result<ChildServer> {
        let port = free_port()?;
        let out =
            std::fs::File::create(&log).with_context(|| format!("creating {}", log.display()))?;
        let child = Command::new(program)
            .args(args)
            .env_clear()
            .envs(env.iter().map(|(k, v)| (k, v)))
            .env("BIND_ADDR", format!("127.0.0.1:{port}"))
            .stdin(Stdio::null())
            .stdout(out.try_clone()?)
            .stderr(out)
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("starting {}", program.display()))?;
        let pid = child.id().context("the child has no pid")?;
        let mut server = ChildServer {
            url: format!("http://127.0.0.1:{port}"),
            pid,
            child,
            log,
        };
        server.wait_ready(ready_path).await?;
        Ok(server)
    }

    async fn wait_ready(&mut self, path: &str) -> anyhow::Result<()> {
        let http = reqwest::Client::builder().no_proxy().build()?;
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait()? {
                bail!(
                    "the server exited ({status}) before it was ready; its output:\n{}",
                    self.log_tail()
                );
            }
            let ok = http
                .get(format!("{}{path}", self.url))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success());
            if ok {
                return Ok(());
            }
            if Instant::now() > deadline {
                bail!(
                    "the server did not answer {path} within {START_TIMEOUT:?}; its output:\n{}",
                    self.log_tail()
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Peak resident set size so far (`VmHWM`), in KiB.
    pub fn peak_rss_kib(&self) -> Option<u64> {
        proc_status_kib(self.pid, "VmHWM")
    }

    /// Current resident set size (`VmRSS`), in KiB.
    pub fn rss_kib(&self) -> Option<u64> {
        proc_status_kib(self.pid, "VmRSS")
    }

    /// The last lines the server printed, for error messages.
    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(30)..].join("\n")
    }

    pub async fn stop(mut self) {
        let _ = self.child.kill().await;
    }
}

/// A field of `/proc/<pid>/status` such as `VmHWM:     12345 kB`.
fn proc_status_kib(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    parse_status_kib(&status, field)
}

fn parse_status_kib(status: &str, field: &str) -> Option<u64> {
    status.lines().find_map(|line| {
        let rest = line.strip_prefix(field)?.strip_prefix(':')?;
        rest.split_whitespace().next()?.parse().ok()
    })
}

/// User + system CPU time of a process so far (`/proc/<pid>/stat`, in clock ticks of 10 ms).
pub fn cpu_time(pid: u32) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    parse_cpu_ticks(&stat).map(|ticks| Duration::from_millis(ticks * 10))
}

/// utime + stime: fields 14 and 15, counted after the `)` that ends the command name.
fn parse_cpu_ticks(stat: &str) -> Option<u64> {
    let rest = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // `rest` starts at field 3 (state).
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some(utime + stime)
}

/// `12.3 MiB`.
pub fn fmt_kib(kib: Option<u64>) -> String {
    kib.map_or("–".into(), |k| format!("{:.1} MiB", k as f64 / 1024.0))
}

fn free_port() -> anyhow::Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peak_rss_is_read_from_the_vmhwm_line_and_not_from_a_similar_name() {
        let status =
            "Name:\tsesame-opener\nVmHWMx:\t1 kB\nVmHWM:\t   20480 kB\nVmRSS:\t   10240 kB\n";
        assert_eq!(parse_status_kib(status, "VmHWM"), Some(20480));
        assert_eq!(parse_status_kib(status, "VmRSS"), Some(10240));
        assert_eq!(parse_status_kib(status, "VmSwap"), None);
        assert_eq!(fmt_kib(Some(20480)), "20.0 MiB");
    }

    #[test]
    fn cpu_ticks_are_user_plus_system_time_even_with_a_space_in_the_name() {
        let stat = "1234 (sesame opener) S 1 2 3 4 5 6 7 8 9 10 250 50 0 0 20 0 4 0 100";
        assert_eq!(parse_cpu_ticks(stat), Some(300));
    }
}
