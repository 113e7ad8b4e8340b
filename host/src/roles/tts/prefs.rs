//! The user's speech preferences: the default voice per provider, kept in a small JSON file
//! in the user's config directory so that it survives a restart.
//!
//! Writes are atomic (a temporary file in the same directory, synced, then renamed over the
//! old one), so a crash leaves the old file or the new one, never half of each. A file that
//! cannot be read as preferences is reported, moved aside (`.corrupt`) so nothing the user
//! wrote is lost, and replaced by defaults: never a crash.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

const VERSION: u32 = 1;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    version: u32,
    /// Provider id (`formant`, `elevenlabs` ...) to voice id.
    #[serde(default)]
    default_voices: BTreeMap<String, String>,
}

#[derive(Debug, thiserror::Error)]
pub enum PrefsError {
    #[error("cannot save preferences to {}: {source}", .path.display())]
    Write { path: PathBuf, source: std::io::Error },
}

/// The preferences, in memory and on disk.
pub struct Preferences {
    path: PathBuf,
    file: Mutex<File>,
    /// What went wrong reading the file at start, for `get_server_status`.
    problem: Option<String>,
}

impl Preferences {
    /// Reads the preferences at `path`; a missing file means defaults.
    pub fn open(path: PathBuf) -> Self {
        let (file, problem) = match std::fs::read(&path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => (File { version: VERSION, ..File::default() }, None),
            Err(e) => {
                let problem = format!("cannot read {}: {e}; using defaults", path.display());
                tracing::warn!(%problem, "preferences");
                (File { version: VERSION, ..File::default() }, Some(problem))
            }
            Ok(bytes) => match serde_json::from_slice::<File>(&bytes) {
                Ok(file) if file.version == VERSION => (file, None),
                outcome => {
                    let why = match outcome {
                        Ok(file) => format!("version {} is not {VERSION}", file.version),
                        Err(e) => e.to_string(),
                    };
                    // Never over an earlier corrupt copy: the first free name.
                    let aside = (0..100)
                        .map(|n| match n {
                            0 => path.with_extension("json.corrupt"),
                            n => path.with_extension(format!("json.corrupt.{n}")),
                        })
                        .find(|p| !p.exists())
                        .unwrap_or_else(|| path.with_extension("json.corrupt"));
                    let moved = std::fs::rename(&path, &aside).is_ok();
                    let problem = format!(
                        "{} is not valid preferences ({why}); using defaults{}",
                        path.display(),
                        if moved { format!(", the old file is kept as {}", aside.display()) } else { String::new() }
                    );
                    tracing::warn!(%problem, "preferences");
                    (File { version: VERSION, ..File::default() }, Some(problem))
                }
            },
        };
        Self { path, file: Mutex::new(file), problem }
    }

    /// Where the preferences live: `SWITCHBOARD_PREFERENCES`, else the user's config directory.
    pub fn default_path() -> PathBuf {
        if let Some(path) = std::env::var_os("SWITCHBOARD_PREFERENCES") {
            return PathBuf::from(path);
        }
        directories::ProjectDirs::from("dev", "switchboard", "switchboard")
            .map(|dirs| dirs.config_dir().join("preferences.json"))
            .unwrap_or_else(|| PathBuf::from("switchboard-preferences.json"))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn problem(&self) -> Option<&str> {
        self.problem.as_deref()
    }

    /// The default voice chosen for `provider`, if any.
    pub fn default_voice(&self, provider: &str) -> Option<String> {
        self.lock().default_voices.get(provider).cloned()
    }

    /// Chooses `voice` as the default for `provider` and saves it. On failure nothing changes.
    pub fn set_default_voice(&self, provider: &str, voice: &str) -> Result<(), PrefsError> {
        let mut file = self.lock();
        let mut next = file.clone();
        next.default_voices.insert(provider.to_owned(), voice.to_owned());
        self.save(&next).map_err(|source| PrefsError::Write { path: self.path.clone(), source })?;
        *file = next;
        Ok(())
    }

    fn save(&self, file: &File) -> std::io::Result<()> {
        let dir = self.path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir)?;
        let mut temp = tempfile::NamedTempFile::new_in(dir)?;
        serde_json::to_writer_pretty(&mut temp, file)?;
        temp.write_all(b"\n")?;
        temp.as_file().sync_all()?;
        temp.persist(&self.path).map_err(|e| e.error)?;
        // The rename is durable once the directory entry is.
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, File> {
        self.file.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn survives_a_restart() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/preferences.json");
        let prefs = Preferences::open(path.clone());
        assert_eq!(prefs.default_voice("formant"), None);
        prefs.set_default_voice("formant", "marlow").unwrap();
        let again = Preferences::open(path);
        assert_eq!(again.default_voice("formant").as_deref(), Some("marlow"));
        assert!(again.problem().is_none());
    }

    #[test]
    fn a_corrupt_file_is_reported_kept_aside_and_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("preferences.json");
        std::fs::write(&path, b"{\"version\": 1, \"default_voices\": {\"formant\": ").unwrap();
        let prefs = Preferences::open(path.clone());
        assert!(prefs.problem().unwrap().contains("not valid preferences"), "{:?}", prefs.problem());
        assert_eq!(prefs.default_voice("formant"), None);
        assert!(dir.path().join("preferences.json.corrupt").exists());
        prefs.set_default_voice("formant", "alba").unwrap();
        assert_eq!(Preferences::open(path).default_voice("formant").as_deref(), Some("alba"));
    }

    #[test]
    fn a_failed_write_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        // A directory where the file should be: the rename fails.
        let path = dir.path().join("preferences.json");
        std::fs::create_dir(&path).unwrap();
        std::fs::write(path.join("x"), b"").unwrap();
        let prefs = Preferences::open(path);
        assert!(prefs.set_default_voice("formant", "alba").is_err());
        assert_eq!(prefs.default_voice("formant"), None);
    }
}
