//! Voices and models: `GET /v1/voices`, `GET /v1/voices/{id}`, `GET /v2/voices` (paged with
//! `next_page_token`, searched, filtered by category) and `GET /v1/models`, over a fixed set of
//! voices: ElevenLabs' well-known premade voices (their real ids) and a few made-up
//! non-English ones.

use super::errors::{self, Refusal, detail, json_response};
use super::query::Query;
use super::state::Shared;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::sync::Arc;

/// A voice of the fake.
pub struct FakeVoice {
    pub id: &'static str,
    pub name: &'static str,
    pub category: &'static str,
    pub gender: &'static str,
    pub accent: &'static str,
    pub age: &'static str,
    pub description: &'static str,
    pub use_case: &'static str,
    /// `(language, locale)` pairs it is verified in, main language first.
    pub languages: &'static [(&'static str, &'static str)],
}

const fn voice(
    id: &'static str,
    name: &'static str,
    category: &'static str,
    [gender, accent, age, description, use_case]: [&'static str; 5],
    languages: &'static [(&'static str, &'static str)],
) -> FakeVoice {
    FakeVoice { id, name, category, gender, accent, age, description, use_case, languages }
}

const US: &[(&str, &str)] = &[("en", "en-US")];

/// Every voice, in the order the listings give them.
pub const VOICES: &[FakeVoice] = &[
    voice("21m00Tcm4TlvDq8ikWAM", "Rachel", "premade", ["female", "american", "young", "calm", "narration"], US),
    voice("29vD33N1CtxCmqQRPOHJ", "Drew", "premade", ["male", "american", "middle aged", "well-rounded", "news"], US),
    voice(
        "2EiwWnXFnvU5JabPnv8n",
        "Clyde",
        "premade",
        ["male", "american", "middle aged", "war veteran", "characters"],
        US,
    ),
    voice("AZnzlk1XvdvUeBnXmlld", "Domi", "premade", ["female", "american", "young", "strong", "narration"], US),
    voice("EXAVITQu4vr4xnSDxMaL", "Bella", "premade", ["female", "american", "young", "soft", "narration"], US),
    voice("ErXwobaYiN019PkySvjV", "Antoni", "premade", ["male", "american", "young", "well-rounded", "narration"], US),
    voice("pNInz6obpgDQGcFmaJgB", "Adam", "premade", ["male", "american", "middle aged", "deep", "narration"], US),
    voice(
        "kR5vNc8TqW2mZx7BdL3p",
        "Olivia",
        "professional",
        ["female", "british", "young", "warm", "conversational"],
        &[("en", "en-GB")],
    ),
    voice(
        "gD1IexrzCvsXPHUuT0s3",
        "Lucia",
        "professional",
        ["female", "castilian", "young", "bright", "conversational"],
        &[("es", "es-ES"), ("en", "en-US")],
    ),
    voice(
        "Ux8d2gRpYq4ZmKcV7nLb",
        "Mateo",
        "professional",
        ["male", "mexican", "middle aged", "friendly", "customer service"],
        &[("es", "es-MX")],
    ),
    voice(
        "Hn4sQe0WcZr2TgLm9XkB",
        "Camille",
        "professional",
        ["female", "parisian", "middle aged", "elegant", "narration"],
        &[("fr", "fr-FR")],
    ),
    voice(
        "pT7wYc3NbRv5QsLd8KfA",
        "Jonas",
        "professional",
        ["male", "standard", "young", "clear", "informative"],
        &[("de", "de-DE")],
    ),
    voice(
        "Zq1mXv6RtB9cWn2YpL4s",
        "Aiko",
        "professional",
        ["female", "tokyo", "young", "gentle", "conversational"],
        &[("ja", "ja-JP")],
    ),
];

/// Looks a voice up by id.
pub fn find(id: &str) -> Option<&'static FakeVoice> {
    VOICES.iter().find(|v| v.id == id)
}

impl FakeVoice {
    /// The voice as ElevenLabs' voice endpoints describe one. Preview URLs point at the fake.
    pub fn to_json(&self, base_url: &str) -> Value {
        let preview = |locale: &str| format!("{base_url}/previews/{}-{locale}.mp3", self.id);
        json!({
            "voice_id": self.id,
            "name": self.name,
            "category": self.category,
            "labels": {
                "accent": self.accent,
                "age": self.age,
                "description": self.description,
                "gender": self.gender,
                "use_case": self.use_case,
            },
            "description": null,
            "preview_url": preview(self.languages.first().map_or("en-US", |l| l.1)),
            "available_for_tiers": [],
            "settings": null,
            "sharing": null,
            "high_quality_base_model_ids": ["eleven_flash_v2_5", "eleven_turbo_v2_5", "eleven_multilingual_v2"],
            "verified_languages": self.languages.iter().map(|(language, locale)| json!({
                "language": language,
                "model_id": "eleven_multilingual_v2",
                "accent": self.accent,
                "locale": locale,
                "preview_url": preview(locale),
            })).collect::<Vec<_>>(),
            "is_owner": false,
            "is_legacy": false,
            "created_at_unix": null,
        })
    }

    /// ElevenLabs' search: the text in the name, a label, the category (case-insensitively).
    fn matches(&self, search: &str) -> bool {
        let search = search.to_lowercase();
        [self.name, self.category, self.gender, self.accent, self.age, self.description, self.use_case]
            .iter()
            .any(|field| field.to_lowercase().contains(&search))
    }
}

/// A model of `GET /v1/models`: id, name, character limit, languages.
struct FakeModel {
    id: &'static str,
    name: &'static str,
    max_chars: u32,
    languages: &'static [&'static str],
}

const V2_5: &[&str] = &[
    "en", "ja", "zh", "de", "hi", "fr", "ko", "pt", "it", "es", "id", "nl", "tr", "fil", "pl", "sv", "bg", "ro", "ar",
    "cs", "el", "fi", "hr", "ms", "sk", "da", "ta", "uk", "ru", "hu", "no", "vi",
];

const MODELS: &[FakeModel] = &[
    FakeModel { id: "eleven_flash_v2_5", name: "Eleven Flash v2.5", max_chars: 40_000, languages: V2_5 },
    FakeModel { id: "eleven_turbo_v2_5", name: "Eleven Turbo v2.5", max_chars: 40_000, languages: V2_5 },
    FakeModel {
        id: "eleven_multilingual_v2",
        name: "Eleven Multilingual v2",
        max_chars: 10_000,
        languages: V2_5.split_at(29).0,
    },
    FakeModel { id: "eleven_v3", name: "Eleven v3 (alpha)", max_chars: 3_000, languages: V2_5 },
    FakeModel { id: "eleven_flash_v2", name: "Eleven Flash v2", max_chars: 30_000, languages: &["en"] },
    FakeModel { id: "eleven_turbo_v2", name: "Eleven Turbo v2", max_chars: 30_000, languages: &["en"] },
];

/// The character limit of a synthesis model, or none for a model the fake does not know.
pub fn model_limit(id: &str) -> Option<u32> {
    MODELS.iter().find(|m| m.id == id).map(|m| m.max_chars)
}

/// Whether a model takes `language_code` (only the v2.5 ones do).
pub fn model_takes_language_code(id: &str) -> bool {
    id.ends_with("_v2_5")
}

/// `GET /v1/models`.
pub async fn models() -> Response {
    let list: Vec<Value> = MODELS
        .iter()
        .map(|m| {
            json!({
                "model_id": m.id,
                "name": m.name,
                "can_be_finetuned": true,
                "can_do_text_to_speech": true,
                "can_do_voice_conversion": false,
                "can_use_style": true,
                "can_use_speaker_boost": true,
                "serves_pro_voices": false,
                "token_cost_factor": 1.0,
                "description": format!("{} (fake)", m.name),
                "requires_alpha_access": false,
                "max_characters_request_free_user": m.max_chars.min(2_500),
                "max_characters_request_subscribed_user": m.max_chars,
                "maximum_text_length_per_request": m.max_chars,
                "languages": m.languages.iter().map(|l| json!({"language_id": l, "name": l})).collect::<Vec<_>>(),
            })
        })
        .collect();
    json_response(StatusCode::OK, &Value::Array(list))
}

/// `GET /v1/voices`: every voice, unpaged.
pub async fn list_v1(State(shared): State<Arc<Shared>>) -> Response {
    let base_url = shared.base_url();
    let voices: Vec<Value> = VOICES.iter().map(|v| v.to_json(&base_url)).collect();
    json_response(StatusCode::OK, &json!({ "voices": voices }))
}

/// `GET /v1/voices/{voice_id}`.
pub async fn get_v1(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    match find(&id) {
        Some(v) => json_response(StatusCode::OK, &v.to_json(&shared.base_url())),
        None => voice_not_found(&id).into_response(),
    }
}

/// ElevenLabs' answer for an unknown voice.
pub fn voice_not_found(id: &str) -> Refusal {
    Refusal::Detail(StatusCode::NOT_FOUND, "voice_not_found", format!("A voice with the voice_id {id} was not found."))
}

/// `GET /v2/voices?page_size=&search=&next_page_token=&category=`. Tokens are opaque to the
/// client; here they are the offset of the next page.
pub async fn list_v2(State(shared): State<Arc<Shared>>, RawQuery(raw): RawQuery) -> Response {
    let base_url = shared.base_url();
    let q = Query::parse(raw.as_deref());
    let page_size = match q.get("page_size").map(str::parse::<usize>) {
        None => 10,
        Some(Ok(n)) if (1..=100).contains(&n) => n,
        Some(_) => {
            return errors::unprocessable(vec![errors::invalid_item(
                &["query", "page_size"],
                "Input should be less than or equal to 100",
                "less_than_equal",
            )]);
        }
    };
    let offset = match q.get("next_page_token") {
        None | Some("") => 0,
        Some(token) => match token.strip_prefix("page-").and_then(|n| n.parse::<usize>().ok()) {
            Some(n) => n,
            None => return detail(StatusCode::BAD_REQUEST, "invalid_page_token", "The next_page_token is invalid."),
        },
    };
    let search = q.get("search").map(str::trim).filter(|s| !s.is_empty());
    let category = q.get("category").filter(|c| !c.is_empty());
    let matching: Vec<&FakeVoice> = VOICES
        .iter()
        .filter(|v| search.is_none_or(|s| v.matches(s)))
        .filter(|v| category.is_none_or(|c| v.category == c))
        .collect();
    let page: Vec<Value> = matching.iter().skip(offset).take(page_size).map(|v| v.to_json(&base_url)).collect();
    let next = offset + page_size;
    let has_more = next < matching.len();
    json_response(
        StatusCode::OK,
        &json!({
            "voices": page,
            "has_more": has_more,
            "total_count": matching.len(),
            "next_page_token": has_more.then(|| format!("page-{next}")),
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn voices_are_well_formed() {
        for v in VOICES {
            assert_eq!(v.id.len(), 20, "{}", v.name);
            assert!(v.id.bytes().all(|b| b.is_ascii_alphanumeric()));
            assert!(!v.languages.is_empty());
        }
        let json = find("21m00Tcm4TlvDq8ikWAM").map(|v| v.to_json("http://x")).unwrap_or_default();
        assert_eq!(json["labels"]["gender"], "female");
        assert_eq!(json["verified_languages"][0]["locale"], "en-US");
        assert!(find("nope").is_none());
        assert_eq!(model_limit("eleven_v3"), Some(3_000));
        assert!(model_takes_language_code("eleven_flash_v2_5") && !model_takes_language_code("eleven_v3"));
    }
}
