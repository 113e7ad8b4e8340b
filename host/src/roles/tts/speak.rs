//! `speak`: check the request against the providers, ask the classifier how the text should
//! sound, then synthesise through the provider chain (retries, breakers, failover), caching
//! the result.

use super::cache::{self, Key};
use super::clips::ClipWriter;
use super::context::{self, ContextReport};
use super::error::clone_speak_error;
use super::{Audio, Format, ProviderRef, Settings, SpeakError, SpeakRequest, Speech, Spoken, check_voice};
use super::{personal_data_kinds, provider_ref, same_language};
use crate::contracts::tts::{ProviderInfo, SynthesisRequest, TextSpan, TtsError, VoiceSettings};
use crate::roles::chain::{self, Budget, ChainError, Verdict};
use crate::roles::{Routes, classifier};
use crate::runtime::{CallError, LoadedComponent, Runtime, progress};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Chunks a provider may push ahead of the host reading them.
const SINK_DEPTH: usize = 64;

/// One provider the chain may try, with the voice it would use.
struct Plan {
    component: Arc<LoadedComponent>,
    info: Arc<ProviderInfo>,
    voice: String,
    /// The model to ask for: the caller's, when this provider has it.
    model: Option<String>,
    /// Set when this provider cannot honour part of the request (voice, model) and stands in.
    note: Option<String>,
}

/// The request as the host will send it, after the classifier's reading.
struct Prepared {
    settings: VoiceSettings,
    emphasis: Vec<TextSpan>,
    context: Option<ContextReport>,
    warnings: Vec<String>,
}

impl Speech {
    /// Speaks `request` with the first provider that can, in the operator's order.
    pub async fn speak(&self, runtime: &Runtime, routes: &Routes, request: SpeakRequest) -> Result<Spoken, SpeakError> {
        self.speak_into(runtime, routes, request, None).await
    }

    /// Checks `request` as `speak` would before it synthesizes anything: the text, the
    /// settings, the format, and what the provider takes (length, format, language, voice).
    pub async fn check(
        &self,
        runtime: &Runtime,
        routes: &Routes,
        request: &SpeakRequest,
    ) -> Result<Format, SpeakError> {
        let text = request.text.trim();
        if text.is_empty() {
            return Err(SpeakError::EmptyText);
        }
        super::check_settings(&request.settings)?;
        let format_id = request.format.as_deref().unwrap_or(&routes.speech.default_format);
        let format = Format::parse(format_id)?;
        self.plans(runtime, routes, request, text, format_id).await?;
        Ok(format)
    }

    /// Speaks `request`, streaming the audio into `clip` as the provider pushes it (when this
    /// call makes the audio; a cache hit, or a synthesis another caller started, arrives
    /// whole at the end). The clip is not finished here: the caller does that.
    pub async fn speak_into(
        &self,
        runtime: &Runtime,
        routes: &Routes,
        request: SpeakRequest,
        clip: Option<&ClipWriter>,
    ) -> Result<Spoken, SpeakError> {
        let started = Instant::now();
        let text = request.text.trim();
        if text.is_empty() {
            return Err(SpeakError::EmptyText);
        }
        super::check_settings(&request.settings)?;
        let settings = &routes.speech;
        let format_id = request.format.as_deref().unwrap_or(&settings.default_format);
        let format = Format::parse(format_id)?;
        let plans = self.plans(runtime, routes, &request, text, format_id).await?;
        let primary = &plans[0];

        let caller = VoiceSettings {
            stability: request.settings.stability,
            similarity: request.settings.similarity,
            style: request.settings.style,
            speed: request.settings.speed,
        };
        let refuse = request.refuse_personal_data.unwrap_or(settings.refuse_personal_data);
        let key = Key {
            provider: primary.component.load_id.to_string(),
            classifier: routes.classifier.as_ref().map(|c| c.load_id.to_string()),
            voice: primary.voice.clone(),
            model: request.model.clone(),
            language: request.language.clone(),
            format: format_id.to_owned(),
            settings: [caller.stability, caller.similarity, caller.style, caller.speed].map(|s| s.map(f32::to_bits)),
            context_aware: request.context_aware,
            refuse_personal_data: refuse,
            text: cache::normalise_text(text),
        };
        // The audio made so far, over every attempt: this call's progress.
        let made = AtomicU64::new(0);
        let synthesis = async {
            let max = primary.info.max_text_length;
            let prepared = prepare(runtime, routes, text, max, caller, request.context_aware, refuse).await?;
            let keyed: Vec<(String, &Plan)> = plans.iter().map(|p| (p.component.name.clone(), p)).collect();
            let resilience = &settings.resilience;
            let outcome = chain::run(&keyed, &self.breakers, resilience, verdict, |plan: &&Plan, budget| {
                let request = SynthesisRequest {
                    text: text.to_owned(),
                    voice: plan.voice.clone(),
                    model: plan.model.clone(),
                    language: request.language.clone(),
                    format: format_id.to_owned(),
                    settings: prepared.settings,
                    emphasis: prepared.emphasis.clone(),
                };
                let admit = || !self.breakers.is_open(&plan.component.name, resilience);
                let attempt = Attempt {
                    component: &plan.component,
                    provider: &plan.info.id,
                    format,
                    started,
                    budget,
                    made: &made,
                };
                async move { synthesize(runtime, attempt, request, &admit, clip).await }
            })
            .await;
            match outcome {
                Ok((mut audio, served_by, attempts)) => {
                    let plan = plans.iter().find(|p| p.component.name == served_by).unwrap_or(primary);
                    audio.provider = provider_ref(&plan.component, &plan.info);
                    audio.degraded = !Arc::ptr_eq(&plan.component, &primary.component);
                    // What the provider says it used, else what was asked of it.
                    let asked = to_settings(prepared.settings);
                    let used = audio.settings;
                    audio.settings = Settings {
                        stability: used.stability.or(asked.stability),
                        similarity: used.similarity.or(asked.similarity),
                        style: used.style.or(asked.style),
                        speed: used.speed.or(asked.speed),
                    };
                    audio.context = prepared.context;
                    audio.warnings = prepared.warnings;
                    if audio.degraded {
                        audio.warnings.push(format!(
                            "{} stood in for {}, which failed; the audio may sound different",
                            plan.info.id, primary.info.id
                        ));
                        audio.warnings.extend(plan.note.clone());
                    }
                    audio.attempts = attempts;
                    Ok(Arc::new(audio))
                }
                Err(ChainError::Fatal { error, .. }) => Err(error),
                Err(ChainError::Exhausted { attempts }) => Err(SpeakError::AllFailed { failed: attempts.failed }),
                Err(ChainError::Deadline { attempts }) => {
                    Err(SpeakError::Deadline { deadline_ms: resilience.deadline_ms, failed: attempts.failed })
                }
            }
        };
        let (audio, cached) =
            self.cache.get_or_synthesize(key.clone(), synthesis).await.map_err(|e| clone_speak_error(&e))?;
        if audio.degraded && !cached {
            // A stand-in's audio is not kept: the next request tries the first choice again.
            self.cache.forget(&key).await;
        }
        Ok(Spoken {
            first_chunk: (!cached).then_some(audio.first_chunk),
            cached,
            format,
            elapsed: started.elapsed(),
            audio,
        })
    }

    /// The providers to try, in order. The first available one is held to the request (its
    /// length, format, language and voice); the others stand in only where they can make the
    /// same format in the same language, with the requested voice if they have it.
    async fn plans(
        &self,
        runtime: &Runtime,
        routes: &Routes,
        request: &SpeakRequest,
        text: &str,
        format_id: &str,
    ) -> Result<Vec<Plan>, SpeakError> {
        let candidates = self.candidates(runtime, routes).await?;
        let chars = text.chars().count();
        let mut plans = Vec::new();
        for (rank, (component, info)) in candidates.into_iter().enumerate() {
            let strict = rank == 0;
            let fits = chars <= info.max_text_length as usize;
            let makes = info.formats.iter().any(|f| f == format_id);
            let speaks = request.language.as_ref().is_none_or(|l| info.languages.iter().any(|x| same_language(x, l)));
            if strict {
                if !fits {
                    return Err(SpeakError::TooLong { chars, max: info.max_text_length, provider: info.id.clone() });
                }
                if !makes {
                    let (format, provider, supported) = (format_id.to_owned(), info.id.clone(), info.formats.clone());
                    return Err(SpeakError::FormatUnsupported { format, provider, supported });
                }
                if let (false, Some(language)) = (speaks, &request.language) {
                    let (language, provider, languages) = (language.clone(), info.id.clone(), info.languages.clone());
                    return Err(SpeakError::LanguageUnsupported { language, provider, languages });
                }
            } else if !(fits && makes && speaks) {
                continue;
            }
            let default = || self.prefs.default_voice(&info.id).unwrap_or_else(|| info.default_voice.clone());
            let (voice, mut note) = match &request.voice {
                None => (default(), None),
                // An unknown voice is the caller's to fix; a provider that cannot list its
                // voices right now is the chain's to handle, so the voice goes as asked.
                Some(v) if strict => match self.all_voices(runtime, &component).await {
                    Ok(voices) => {
                        check_voice(&voices, v, &info.id)?;
                        (v.clone(), None)
                    }
                    Err(_) => (v.clone(), None),
                },
                Some(v) => match self.all_voices(runtime, &component).await {
                    Ok(voices) if voices.iter().any(|x| &x.id == v) => (v.clone(), None),
                    _ => {
                        let d = default();
                        let note = format!("{} has no voice `{v}`; it spoke with `{d}`", info.id);
                        (d, Some(note))
                    }
                },
            };
            // A model belongs to one provider: a stand-in without it uses its own default.
            let model = match &request.model {
                Some(m) if !strict && !info.models.contains(m) => {
                    note = Some(
                        note.map_or_else(String::new, |n| format!("{n}; "))
                            + &format!("{} has no model `{m}`", info.id),
                    );
                    None
                }
                other => other.clone(),
            };
            plans.push(Plan { component, info, voice, model, note });
        }
        Ok(plans)
    }
}

/// Whether a failed synthesis is worth retrying or another provider.
fn verdict(error: &SpeakError) -> Verdict {
    match error {
        SpeakError::Provider { error: TtsError::RateLimited(r), .. } => {
            Verdict::Retry(r.retry_after_ms.map(|ms| Duration::from_millis(u64::from(ms))))
        }
        SpeakError::Provider { error: TtsError::Unavailable(_) | TtsError::Internal(_), .. } => Verdict::Retry(None),
        SpeakError::Call { source: CallError::InvalidArguments(_) | CallError::ResultTooLarge { .. }, .. } => {
            Verdict::Fatal
        }
        // A deadline: the service may be slow; another try may do.
        SpeakError::Call { source: CallError::DeadlineExceeded { .. }, .. } => Verdict::Retry(None),
        // It used its share of the time: the next provider gets the rest.
        SpeakError::Stalled { .. } => Verdict::Next,
        // A crash depends on the input and a busy host is no outage: another provider may
        // do, but retrying the same one would only repeat it, and its breaker stays as is.
        SpeakError::Call { .. } => Verdict::Skip,
        _ => Verdict::Fatal,
    }
}

fn to_settings(s: VoiceSettings) -> Settings {
    Settings { stability: s.stability, similarity: s.similarity, style: s.style, speed: s.speed }
}

/// Before speaking: is the text fit to speak, and how should it sound? Without a
/// classifier, the caller's settings go as they are.
async fn prepare(
    runtime: &Runtime,
    routes: &Routes,
    text: &str,
    max_characters: u32,
    caller: VoiceSettings,
    context_aware: bool,
    refuse: bool,
) -> Result<Prepared, SpeakError> {
    let mut prepared = Prepared { settings: caller, emphasis: Vec::new(), context: None, warnings: Vec::new() };
    if !context_aware && !refuse {
        return Ok(prepared);
    }
    let Some(classifier) = &routes.classifier else {
        return if refuse { Err(SpeakError::NoClassifier) } else { Ok(prepared) };
    };
    let (analysis, quality) = match classifier::prepare(runtime, classifier, text, max_characters).await {
        Ok(found) => found,
        // Without the check the caller asked for, nothing is spoken.
        Err(e) if refuse => return Err(e.into()),
        Err(e) => {
            tracing::warn!(error = %e, "the classifier failed; speaking without context");
            prepared.warnings.push(format!("spoken without context: {e}"));
            return Ok(prepared);
        }
    };
    let kinds = personal_data_kinds(&quality);
    if !kinds.is_empty() {
        if refuse {
            return Err(SpeakError::PersonalData { kinds });
        }
        prepared.warnings.push(format!("the text contains personal data ({})", kinds.join(", ")));
    }
    if !quality.unpronounceable.is_empty() {
        prepared.warnings.push(format!(
            "{} stretch(es) of characters the voice cannot pronounce will be skipped",
            quality.unpronounceable.len()
        ));
    }
    if context_aware {
        let (settings, emphasis, report) = context::apply(&analysis, &caller);
        prepared.settings = settings;
        prepared.emphasis = emphasis;
        prepared.context = Some(report);
    }
    Ok(prepared)
}

/// One provider's attempt at a synthesis, and the time it has.
struct Attempt<'a> {
    component: &'a LoadedComponent,
    provider: &'a str,
    format: Format,
    /// When `speak` began.
    started: Instant,
    budget: Budget,
    /// The bytes of audio made so far by this and earlier attempts.
    made: &'a AtomicU64,
}

/// Runs one synthesis, collecting the audio as it streams in (and passing each chunk on to
/// `clip`). The attempt is cut, and the guest stopped, when no chunk came within its share of
/// the time (first chunk, then between chunks) or the deadline passed.
async fn synthesize(
    runtime: &Runtime,
    attempt: Attempt<'_>,
    request: SynthesisRequest,
    admit: &(dyn Fn() -> bool + Sync),
    clip: Option<&ClipWriter>,
) -> Result<Audio, SpeakError> {
    let Attempt { component, provider, format, started, budget, made } = attempt;
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Vec<u8>>(SINK_DEPTH);
    if let Some(clip) = clip {
        clip.restart();
    }
    let synthesis_started = Instant::now();
    // The host reports the audio as it comes; the provider's own reports would count another way.
    let run = progress::muted(runtime.tts_synthesize(component, request, tx, admit));
    tokio::pin!(run);
    let mut outcome = None;
    let mut bytes = Vec::new();
    let mut first = None;
    let mut last = Instant::now();
    let stalled = |waited, started| SpeakError::Stalled { provider: component.name.clone(), waited, started };
    loop {
        let limit = (last + budget.share).min(budget.deadline);
        tokio::select! {
            done = &mut run, if outcome.is_none() => outcome = Some(done),
            chunk = tokio::time::timeout_at(limit.into(), rx.recv()) => match chunk {
                Ok(Some(chunk)) => {
                    if first.is_none() && !chunk.is_empty() {
                        first = Some(started.elapsed());
                    }
                    bytes.extend_from_slice(&chunk);
                    last = Instant::now();
                    let so_far = made.fetch_add(chunk.len() as u64, Ordering::Relaxed) + chunk.len() as u64;
                    progress::report(so_far as f64, None, || format!("{} KiB of audio from {provider}", so_far / 1024));
                    if let Some(clip) = clip {
                        clip.push(&chunk);
                        // Let the readers of the clip send it on now: a provider that
                        // computes (the offline voice) would otherwise hold this thread until
                        // its next epoch yield.
                        tokio::task::yield_now().await;
                    }
                }
                // The sink closes when the instance is gone: the call has returned.
                Ok(None) => break,
                // Dropping `run` stops the guest and frees its instance.
                Err(_) if outcome.is_none() => return Err(stalled(last.elapsed(), first.is_some())),
                Err(_) => break,
            },
        }
    }
    let outcome = match outcome {
        Some(outcome) => outcome,
        None => run.await,
    };
    let info = match outcome {
        Ok((Ok(info), _stats)) => info,
        Ok((Err(error), _)) => return Err(SpeakError::Provider { provider: provider.to_owned(), error }),
        Err(source) => return Err(SpeakError::Call { provider: component.name.clone(), source }),
    };
    if bytes.is_empty() {
        let error = TtsError::Internal("the provider returned no audio".into());
        return Err(SpeakError::Provider { provider: provider.to_owned(), error });
    }
    format.finish(&mut bytes);
    let duration_ms = format.duration_ms(&bytes).or(info.duration_ms);
    Ok(Audio {
        bytes,
        provider: ProviderRef { component: component.name.clone(), id: provider.to_owned(), name: String::new() },
        degraded: false,
        attempts: Default::default(),
        voice: info.voice,
        model: info.model,
        duration_ms,
        characters: info.characters,
        settings: info.settings.map(to_settings).unwrap_or_default(),
        context: None,
        warnings: Vec::new(),
        first_chunk: first.unwrap_or_default(),
        synthesis: synthesis_started.elapsed(),
    })
}
