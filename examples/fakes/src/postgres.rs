//! A throwaway PostgreSQL cluster for tests and benchmarks. Not a fake: the real server from
//! the system's packages (Debian's `postgresql`), initialised in a temporary directory and
//! listening on 127.0.0.1 at a free port, stopped and deleted when dropped. Run as root, the
//! server runs as the `postgres` user, which PostgreSQL requires.

use std::os::unix::fs::PermissionsExt as _;
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The role the tests connect as (trust authentication, loopback only).
pub const USER: &str = "switchboard";

pub struct TempPostgres {
    dir: tempfile::TempDir,
    bin: PathBuf,
    port: u16,
    /// The uid and gid to run the server binaries as, when this process is root.
    run_as: Option<(u32, u32)>,
    server: Option<Child>,
}

impl TempPostgres {
    /// Initialises and starts a cluster. The error says why not, for instance that no
    /// PostgreSQL server binaries are installed (`apt-get install postgresql`).
    pub fn start() -> Result<Self, String> {
        let bin = server_bin().ok_or(
            "no PostgreSQL server binaries (initdb, postgres) found: install Debian's `postgresql` \
             package, or set SWITCHBOARD_PG_BIN to their directory",
        )?;
        let run_as = if is_root() { Some(postgres_ids()?) } else { None };
        let dir = tempfile::Builder::new().prefix("switchboard-pg").tempdir().map_err(|e| e.to_string())?;
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777)).map_err(|e| e.to_string())?;
        let port =
            std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map_err(|e| e.to_string())?.port();
        let mut pg = Self { dir, bin, port, run_as, server: None };
        let data = pg.data();
        let out = pg
            .command("initdb")
            .args(["-D", &data, "-U", USER, "--auth=trust", "-E", "UTF8", "--no-sync", "--locale=C"])
            .output()
            .map_err(|e| format!("initdb: {e}"))?;
        if !out.status.success() {
            return Err(format!("initdb failed: {}", String::from_utf8_lossy(&out.stderr)));
        }
        pg.resume()?;
        Ok(pg)
    }

    /// [`TempPostgres::start`] for a test: `None`, with the reason printed, when PostgreSQL
    /// cannot run here, so the test can skip; a failure instead when `SWITCHBOARD_REQUIRE_POSTGRES=1`
    /// (CI sets it, so that CI never skips a test a developer ran).
    pub fn for_test() -> Option<Self> {
        match Self::start() {
            Ok(pg) => Some(pg),
            Err(why) if std::env::var("SWITCHBOARD_REQUIRE_POSTGRES").is_ok_and(|v| v == "1") => {
                panic!("PostgreSQL is required (SWITCHBOARD_REQUIRE_POSTGRES=1) but cannot start: {why}")
            }
            Err(why) => {
                eprintln!("skipping a PostgreSQL test: {why}");
                None
            }
        }
    }

    /// `postgres://switchboard@127.0.0.1:<port>/<database>`.
    pub fn url(&self, database: &str) -> String {
        format!("postgres://{USER}@127.0.0.1:{}/{database}", self.port)
    }

    /// Creates an empty database.
    pub fn create_database(&self, name: &str) -> Result<(), String> {
        let out = self
            .command("createdb")
            .args(["-h", "127.0.0.1", "-p", &self.port.to_string(), "-U", USER, name])
            .output()
            .map_err(|e| format!("createdb: {e}"))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!("createdb {name}: {}", String::from_utf8_lossy(&out.stderr)))
        }
    }

    /// Stops the server (a fast shutdown: sessions are cut, committed data is kept).
    pub fn pause(&mut self) {
        if let Some(mut server) = self.server.take() {
            let _ = Command::new("kill").args(["-INT", &server.id().to_string()]).status();
            let deadline = Instant::now() + Duration::from_secs(20);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = server.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = server.kill();
            let _ = server.wait();
        }
    }

    /// Starts the server again on the same port and data; returns once it accepts connections.
    pub fn resume(&mut self) -> Result<(), String> {
        let log = std::fs::File::create(self.dir.path().join("server.log")).map_err(|e| e.to_string())?;
        let server = self
            .command("postgres")
            .args(["-D", &self.data(), "-p", &self.port.to_string(), "-k", &self.dir.path().display().to_string()])
            .args(["-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200"])
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .map_err(|e| format!("postgres: {e}"))?;
        self.server = Some(server);
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let ready = self
                .command("pg_isready")
                .args(["-h", "127.0.0.1", "-p", &self.port.to_string(), "-U", USER, "-d", "postgres"])
                .stdout(Stdio::null())
                .status()
                .is_ok_and(|s| s.success());
            if ready {
                return Ok(());
            }
            if Instant::now() > deadline {
                let log = std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default();
                return Err(format!("PostgreSQL did not accept connections within 30 s:\n{log}"));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn data(&self) -> String {
        self.dir.path().join("data").display().to_string()
    }

    fn command(&self, program: &str) -> Command {
        let mut cmd = Command::new(self.bin.join(program));
        cmd.current_dir(self.dir.path());
        if let Some((uid, gid)) = self.run_as {
            cmd.uid(uid).gid(gid);
        }
        cmd
    }
}

impl Drop for TempPostgres {
    fn drop(&mut self) {
        self.pause();
    }
}

/// The directory of `initdb` and `postgres`: `SWITCHBOARD_PG_BIN`, else the newest
/// `/usr/lib/postgresql/<version>/bin` (Debian's layout), else `pg_config --bindir`.
fn server_bin() -> Option<PathBuf> {
    let has = |dir: &Path| dir.join("initdb").exists() && dir.join("postgres").exists();
    if let Some(dir) = std::env::var_os("SWITCHBOARD_PG_BIN").map(PathBuf::from) {
        return has(&dir).then_some(dir);
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| Some((e.file_name().to_str()?.parse().ok()?, e.path().join("bin"))))
        .filter(|(_, dir)| has(dir))
        .collect();
    versions.sort();
    if let Some((_, dir)) = versions.pop() {
        return Some(dir);
    }
    let out = Command::new("pg_config").arg("--bindir").output().ok()?;
    let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    has(&dir).then_some(dir)
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// The uid and gid of the `postgres` user, which Debian's package creates.
fn postgres_ids() -> Result<(u32, u32), String> {
    let id = |flag: &str| -> Result<u32, String> {
        let out = Command::new("id").args([flag, "postgres"]).output().map_err(|e| e.to_string())?;
        String::from_utf8_lossy(&out.stdout)
            .trim()
            .parse()
            .map_err(|_| "running as root, and there is no `postgres` user to run PostgreSQL as".to_string())
    };
    Ok((id("-u")?, id("-g")?))
}
