//! Voices: `GET /v2/voices` page by page (`page_size`, `search`, `next_page_token`), mapped to
//! the WIT `voice` and filtered by language here (ElevenLabs has no language filter); and
//! `GET /v1/voices/{id}` for a single voice.

use crate::catalog;
use crate::config::Config;
use crate::errors::ApiError;
use crate::http::Api;
use crate::switchboard::tts::types::{Gender, Label, Voice, VoiceFilter};
use crate::url;
use serde::Deserialize;
use serde_json::{Map, Value};
use wstd::http::Method;

/// The largest page ElevenLabs serves.
const PAGE_SIZE: &str = "100";
/// At most this many pages (2,000 voices) are read: enough for any account's own voices, and
/// a bound should a server keep answering `has_more`.
pub const MAX_PAGES: usize = 20;

/// One page of `GET /v2/voices`. Every field is optional so an answer with a field missing or
/// null still reads.
#[derive(Debug, Default, Deserialize)]
pub struct VoicePage {
    #[serde(default)]
    pub voices: Option<Vec<ApiVoice>>,
    #[serde(default)]
    pub has_more: Option<bool>,
    #[serde(default)]
    pub next_page_token: Option<String>,
}

impl VoicePage {
    /// The token of the next page, when there is one.
    pub fn next(&self) -> Option<&str> {
        self.next_page_token.as_deref().filter(|t| self.has_more.unwrap_or(false) && !t.is_empty())
    }
}

/// A voice as ElevenLabs describes it (the fields this provider uses).
#[derive(Debug, Default, Deserialize)]
pub struct ApiVoice {
    #[serde(default)]
    pub voice_id: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub category: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub labels: Option<Map<String, Value>>,
    #[serde(default)]
    pub preview_url: Option<String>,
    #[serde(default)]
    pub verified_languages: Option<Vec<VerifiedLanguage>>,
}

/// A language ElevenLabs verified a voice in.
#[derive(Debug, Default, Deserialize)]
pub struct VerifiedLanguage {
    #[serde(default)]
    pub language: Option<String>,
    /// E.g. `en-US`.
    #[serde(default)]
    pub locale: Option<String>,
}

impl VerifiedLanguage {
    fn tag(&self) -> Option<&str> {
        self.locale.as_deref().or(self.language.as_deref()).map(str::trim).filter(|t| !t.is_empty())
    }
}

/// A mapped voice and every language it speaks, for filtering.
pub struct Mapped {
    pub voice: Voice,
    pub languages: Vec<String>,
}

/// Maps an ElevenLabs voice; none for one without an id.
pub fn map_voice(v: ApiVoice) -> Option<Mapped> {
    let id = v.voice_id.filter(|id| !id.trim().is_empty())?;
    let mut labels: Vec<Label> = v
        .labels
        .unwrap_or_default()
        .into_iter()
        .filter_map(|(key, value)| match value {
            Value::String(s) if !s.trim().is_empty() => Some(Label { key, value: s }),
            _ => None,
        })
        .collect();
    // Sorted, so the order does not depend on how the JSON object was kept.
    labels.sort_by(|a, b| a.key.cmp(&b.key));
    let has = |labels: &[Label], key: &str| labels.iter().any(|l| l.key == key);
    for (key, value) in [("category", v.category), ("description", v.description)] {
        if let Some(value) = value.filter(|s| !s.trim().is_empty())
            && !has(&labels, key)
        {
            labels.push(Label { key: key.to_string(), value });
        }
    }
    let mut languages: Vec<String> = Vec::new();
    let label = |labels: &[Label], key: &str| labels.iter().find(|l| l.key == key).map(|l| l.value.clone());
    if let Some(tag) = label(&labels, "language") {
        languages.push(tag);
    }
    for tag in v.verified_languages.iter().flatten().filter_map(VerifiedLanguage::tag) {
        if !languages.iter().any(|l| l.eq_ignore_ascii_case(tag)) {
            languages.push(tag.to_string());
        }
    }
    if languages.len() > 1 && !has(&labels, "languages") {
        labels.push(Label { key: "languages".into(), value: languages.join(", ") });
    }
    let gender = match label(&labels, "gender").map(|g| g.to_ascii_lowercase()).as_deref() {
        Some("female" | "woman") => Gender::Female,
        Some("male" | "man") => Gender::Male,
        Some("neutral" | "non-binary" | "non_binary" | "nonbinary") => Gender::Neutral,
        _ => Gender::Unknown,
    };
    let voice = Voice {
        name: v.name.filter(|n| !n.trim().is_empty()).unwrap_or_else(|| id.clone()),
        id,
        language: languages.first().cloned().unwrap_or_else(|| "en".to_string()),
        gender,
        labels,
        preview_url: v.preview_url.filter(|u| !u.trim().is_empty()),
    };
    Some(Mapped { voice, languages })
}

impl Mapped {
    /// Whether the voice passes the filter: any of its languages matches, and the search text
    /// is in its id, name or a label value (case-insensitively).
    pub fn matches(&self, filter: &VoiceFilter) -> bool {
        let language_ok = match filter.language.as_deref().map(str::trim).filter(|l| !l.is_empty()) {
            None => true,
            Some(wanted) => {
                let spoken: &[String] = &self.languages;
                if spoken.is_empty() {
                    catalog::language_matches(wanted, &self.voice.language)
                } else {
                    spoken.iter().any(|l| catalog::language_matches(wanted, l))
                }
            }
        };
        let search_ok = match filter.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => true,
            Some(text) => {
                let text = text.to_lowercase();
                let v = &self.voice;
                std::iter::once(&v.id)
                    .chain(std::iter::once(&v.name))
                    .chain(v.labels.iter().map(|l| &l.value))
                    .any(|s| s.to_lowercase().contains(&text))
            }
        };
        language_ok && search_ok
    }
}

/// Every voice of the account that passes `filter`, reading up to [`MAX_PAGES`] pages. A
/// search that is a voice id and finds nothing by name falls back to `GET /v1/voices/{id}`,
/// so a voice can be looked up by id.
pub async fn list(config: &Config, filter: &VoiceFilter) -> Result<Vec<Voice>, ApiError> {
    let api = Api::new(config)?;
    let search = filter.search.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let mut voices = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let path = url::with_query(
            "/v2/voices",
            &[("page_size", Some(PAGE_SIZE)), ("search", search), ("next_page_token", token.as_deref())],
        );
        let page: VoicePage = api.json(Method::GET, &path, None, "the voices endpoint was not found").await?;
        let next = page.next().map(str::to_owned);
        voices.extend(page.voices.unwrap_or_default().into_iter().filter_map(map_voice).filter(|m| m.matches(filter)));
        // A token that does not move on would loop until the cap.
        if next.is_none() || next == token {
            break;
        }
        token = next;
    }
    if voices.is_empty()
        && let Some(id) = search.filter(|s| url::is_id(s))
    {
        match get(&api, id).await {
            Ok(m) if m.matches(&VoiceFilter { language: filter.language.clone(), search: None }) => voices.push(m),
            Ok(_) => {}
            Err(e) if e.kind == crate::errors::Kind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    Ok(voices.into_iter().map(|m| m.voice).collect())
}

/// One voice by id.
pub async fn get(api: &Api<'_>, id: &str) -> Result<Mapped, ApiError> {
    let not_found = format!("no voice `{id}`");
    let voice: ApiVoice = api.json(Method::GET, &format!("/v1/voices/{}", url::encode(id)), None, &not_found).await?;
    map_voice(voice)
        .ok_or_else(|| ApiError::new(crate::errors::Kind::Internal, "ElevenLabs sent a voice without an id"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(json: &str) -> VoicePage {
        serde_json::from_str(json).unwrap_or_default()
    }

    const RACHEL: &str = r#"{"voice_id":"21m00Tcm4TlvDq8ikWAM","name":"Rachel","category":"premade",
        "labels":{"accent":"american","age":"young","gender":"female","description":"calm","use_case":"narration","n":1},
        "preview_url":"https://x/rachel.mp3",
        "verified_languages":[{"language":"en","locale":"en-US","model_id":"eleven_flash_v2_5"},{"language":"es"}]}"#;

    #[test]
    fn parses_pages_and_tokens() {
        let p = page(&format!(r#"{{"voices":[{RACHEL},{{"name":"no id"}}],"has_more":true,"next_page_token":"t2"}}"#));
        assert_eq!(p.next(), Some("t2"));
        let mapped: Vec<Mapped> = p.voices.unwrap_or_default().into_iter().filter_map(map_voice).collect();
        assert_eq!(mapped.len(), 1);
        assert_eq!(page(r#"{"voices":[],"has_more":false,"next_page_token":"t"}"#).next(), None);
        assert_eq!(page(r#"{"voices":null,"has_more":true,"next_page_token":""}"#).next(), None);
        assert!(page(r#"{}"#).voices.is_none());
    }

    #[test]
    fn maps_a_voice() {
        let v: ApiVoice = serde_json::from_str(RACHEL).unwrap_or_default();
        let m = map_voice(v).expect("has an id");
        let voice = &m.voice;
        assert_eq!((voice.id.as_str(), voice.name.as_str()), ("21m00Tcm4TlvDq8ikWAM", "Rachel"));
        assert_eq!(voice.language, "en-US");
        assert!(matches!(voice.gender, Gender::Female));
        assert_eq!(voice.preview_url.as_deref(), Some("https://x/rachel.mp3"));
        let keys: Vec<&str> = voice.labels.iter().map(|l| l.key.as_str()).collect();
        assert_eq!(keys, ["accent", "age", "description", "gender", "use_case", "category", "languages"]);
        assert_eq!(m.languages, ["en-US", "es"]);
    }

    #[test]
    fn filters_by_language_and_search() {
        let m = map_voice(serde_json::from_str(RACHEL).unwrap_or_default()).expect("has an id");
        let f = |language: Option<&str>, search: Option<&str>| VoiceFilter {
            language: language.map(Into::into),
            search: search.map(Into::into),
        };
        assert!(m.matches(&f(None, None)));
        assert!(m.matches(&f(Some("en"), None)) && m.matches(&f(Some("es-ES"), None)));
        assert!(!m.matches(&f(Some("fr"), None)) && !m.matches(&f(Some("en-GB"), None)));
        assert!(m.matches(&f(None, Some("AMERICAN"))) && m.matches(&f(None, Some("rach"))));
        assert!(!m.matches(&f(Some("en"), Some("british"))));
        // A voice that says nothing of its language is taken as English.
        let bare = map_voice(ApiVoice { voice_id: Some("x".into()), ..Default::default() }).expect("has an id");
        assert_eq!((bare.voice.language.as_str(), bare.voice.name.as_str()), ("en", "x"));
        assert!(matches!(bare.voice.gender, Gender::Unknown));
        assert!(bare.matches(&f(Some("en-US"), None)) && !bare.matches(&f(Some("de"), None)));
    }
}
