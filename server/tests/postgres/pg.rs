//! A throwaway Postgres cluster for one test: `initdb` into a fresh folder under /tmp, started on
//! 127.0.0.1 with a free port and its socket in that folder, one database created, stopped and
//! deleted on drop. Postgres refuses to run as root, so as root every binary runs as the
//! `postgres` user (which Debian's package creates) through `runuser`.

use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Instant;

use sqlx::Connection;

/// The database every test connects to (besides the `postgres` maintenance database).
const DATABASE: &str = "opener_test";
const SUPERUSER: &str = "postgres";

pub struct PgCluster {
    bin: PathBuf,
    base: PathBuf,
    port: u16,
    password: String,
    run_as_postgres: bool,
}

impl PgCluster {
    /// A running cluster with an empty database. Without Postgres the test fails, with the way to
    /// install it: a test that cannot run must not pass.
    pub async fn start() -> PgCluster {
        let Some(bin) = find_bin_dir() else {
            panic!(
                "Postgres is not installed, so the Postgres tests cannot run: install it with \
                 scripts/setup.sh (Debian's `postgresql` package: initdb and pg_ctl under \
                 /usr/lib/postgresql/<version>/bin)"
            );
        };
        let started = Instant::now();
        let cluster = tokio::task::spawn_blocking(move || PgCluster::init(bin))
            .await
            .expect("the Postgres start-up thread finished");
        cluster.create_database().await;
        println!(
            "postgres {} on 127.0.0.1:{} ready in {:?}",
            cluster.bin.display(),
            cluster.port,
            started.elapsed()
        );
        cluster
    }

    /// `postgres://…` of the test database.
    pub fn url(&self) -> String {
        self.url_of(DATABASE)
    }

    fn url_of(&self, database: &str) -> String {
        format!(
            "postgres://{SUPERUSER}:{}@127.0.0.1:{}/{database}",
            self.password, self.port
        )
    }

    fn init(bin: PathBuf) -> PgCluster {
        let run_as_postgres = is_root();
        // /tmp is world-traversable, so the postgres user reaches a folder it owns directly in it.
        let base = std::env::temp_dir().join(format!("pg-test-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&base).expect("the cluster folder is created");
        std::fs::set_permissions(&base, std::fs::Permissions::from_mode(0o755)).unwrap();
        let password = uuid::Uuid::new_v4().simple().to_string();
        std::fs::write(base.join("pwfile"), &password).unwrap();
        std::fs::set_permissions(base.join("pwfile"), std::fs::Permissions::from_mode(0o600))
            .unwrap();
        let mut cluster = PgCluster {
            bin,
            base,
            port: 0,
            password,
            run_as_postgres,
        };
        if run_as_postgres {
            cluster.chown_to_postgres();
        }
        let data = cluster.data_dir();
        let pwfile = cluster.base.join("pwfile");
        cluster.run(
            "initdb",
            &[
                "-D".as_ref(),
                data.as_os_str(),
                "-U".as_ref(),
                SUPERUSER.as_ref(),
                // Passwords on every connection, even on loopback.
                "--auth=scram-sha-256".as_ref(),
                "--pwfile".as_ref(),
                pwfile.as_os_str(),
                "--encoding=UTF8".as_ref(),
                "--locale=C".as_ref(),
                // The cluster is thrown away: no fsync at creation.
                "--no-sync".as_ref(),
            ],
        );
        // A port free a moment ago may be taken by the time Postgres binds it: try a few.
        for attempt in 1..=3 {
            cluster.port = free_port();
            if cluster.pg_ctl_start() {
                return cluster;
            }
            eprintln!(
                "postgres did not start on port {} (attempt {attempt})",
                cluster.port
            );
        }
        let log = std::fs::read_to_string(cluster.log_file()).unwrap_or_default();
        panic!("postgres did not start; its log:\n{log}");
    }

    fn pg_ctl_start(&self) -> bool {
        let options = format!(
            "-c listen_addresses=127.0.0.1 -p {} -k {} -c fsync=off -c full_page_writes=off",
            self.port,
            self.base.display()
        );
        let data = self.data_dir();
        let log = self.log_file();
        let mut command = self.command("pg_ctl");
        command.args([
            "-D".as_ref(),
            data.as_os_str(),
            "-l".as_ref(),
            log.as_os_str(),
            "-w".as_ref(),
            "-t".as_ref(),
            "60".as_ref(),
            "-o".as_ref(),
            options.as_ref(),
            "start".as_ref(),
        ]);
        output_of(&mut command).status.success()
    }

    async fn create_database(&self) {
        let mut conn = sqlx::PgConnection::connect(&self.url_of("postgres"))
            .await
            .expect("the test connects to the maintenance database");
        sqlx::query(&format!("CREATE DATABASE {DATABASE}"))
            .execute(&mut conn)
            .await
            .expect("the test database is created");
        conn.close().await.ok();
    }

    fn data_dir(&self) -> PathBuf {
        self.base.join("data")
    }

    fn log_file(&self) -> PathBuf {
        self.base.join("postgres.log")
    }

    fn chown_to_postgres(&self) {
        let status = Command::new("chown")
            .args(["-R", "postgres:"])
            .arg(&self.base)
            .status()
            .expect("chown runs");
        assert!(
            status.success(),
            "cannot give {} to the postgres user (does it exist? Debian's postgresql package creates it)",
            self.base.display()
        );
    }

    /// A Postgres binary, as the postgres user when we are root.
    fn command(&self, name: &str) -> Command {
        let program = self.bin.join(name);
        if self.run_as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(program);
            c
        } else {
            Command::new(program)
        }
    }

    fn run(&self, name: &str, args: &[&std::ffi::OsStr]) {
        let output = output_of(self.command(name).args(args));
        assert!(
            output.status.success(),
            "{name} failed: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        if self.port != 0 {
            let data = self.data_dir();
            // `fast`: open connections of the instances still running are cut, not waited for.
            let _ = self
                .command("pg_ctl")
                .args(["-D".as_ref(), data.as_os_str()])
                .args(["-m", "fast", "-w", "-t", "30", "stop"])
                .output();
        }
        let _ = std::fs::remove_dir_all(&self.base);
    }
}

fn output_of(command: &mut Command) -> Output {
    command
        .output()
        .unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"))
}

/// The newest `/usr/lib/postgresql/<version>/bin` holding `initdb` and `pg_ctl` (Debian keeps
/// them off the PATH), else the folder of an `initdb` on the PATH.
fn find_bin_dir() -> Option<PathBuf> {
    let complete = |dir: &Path| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file();
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse::<u32>().ok()?;
            Some((version, entry.path().join("bin")))
        })
        .filter(|(_, bin)| complete(bin))
        .collect();
    versions.sort();
    if let Some((_, bin)) = versions.pop() {
        return Some(bin);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).find(|dir| complete(dir))
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free loopback port")
        .port()
}
