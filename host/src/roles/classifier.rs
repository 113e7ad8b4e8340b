//! The classifier role: one component that labels text (sentence kinds, sentiment and
//! emotion, emphasis, pacing, call intent, quality). `classify_text` and `speak` use it.

use crate::contracts::classifier::{Analysis, CLASSIFY, QualityReport};
use crate::runtime::{CallError, LoadedComponent, Runtime};
use serde_json::{Value, json};

#[derive(Debug, Clone, thiserror::Error)]
pub enum ClassifyError {
    #[error("no classifier component is loaded; load one (the built-in is `classifier_text`)")]
    Missing,
    #[error("the classifier `{component}` failed: {source}")]
    Call { component: String, source: CallError },
    #[error("the classifier `{component}` has no `{function}`")]
    Incomplete { component: String, function: &'static str },
}

impl ClassifyError {
    /// A short fixed label for logs and metrics.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Missing => "no_classifier",
            Self::Call { source, .. } => source.kind(),
            Self::Incomplete { .. } => "classifier",
        }
    }
}

/// The classifier functions `classify_text` runs, by their WIT names.
pub const FUNCTIONS: [&str; 3] = ["analyze", "classify-intent", "check-quality"];

/// The index of classifier function `name` in a component's exports.
pub fn function(component: &LoadedComponent, name: &str) -> Option<usize> {
    component.surface.functions.iter().position(|f| f.interface.as_deref() == Some(CLASSIFY) && f.name == name)
}

/// `classify_text`: the three classifications of `text` at once, as JSON shaped by the
/// classifier's WIT (the tool's output schema is derived from the same WIT, so the two
/// cannot drift): `{analysis, intent, quality}`. `max_characters` is the length the quality
/// check measures against.
pub async fn classify_text(
    runtime: &Runtime,
    component: &LoadedComponent,
    text: &str,
    max_characters: u32,
) -> Result<Value, ClassifyError> {
    let call = |name: &'static str, params: Value| async move {
        let index = function(component, name)
            .ok_or_else(|| ClassifyError::Incomplete { component: component.name.clone(), function: name })?;
        let Value::Object(params) = params else { unreachable!("params are built as objects") };
        let out = runtime
            .call(component, index, Some(&params))
            .await
            .map_err(|source| ClassifyError::Call { component: component.name.clone(), source })?;
        Ok::<_, ClassifyError>(out.value.unwrap_or(Value::Null))
    };
    let (analysis, intent, quality) = tokio::join!(
        call("analyze", json!({ "text": text })),
        call("classify-intent", json!({ "utterance": text })),
        call("check-quality", json!({ "text": text, "max_characters": max_characters })),
    );
    Ok(json!({ "analysis": analysis?, "intent": intent?, "quality": quality? }))
}

/// The quality check and the analysis `speak` needs before it speaks.
pub async fn prepare(
    runtime: &Runtime,
    component: &LoadedComponent,
    text: &str,
    max_characters: u32,
) -> Result<(Analysis, QualityReport), ClassifyError> {
    let failed = |source| ClassifyError::Call { component: component.name.clone(), source };
    let (analysis, quality) =
        tokio::join!(runtime.classify_analyze(component, text), runtime.check_quality(component, text, max_characters));
    Ok((analysis.map_err(failed)?, quality.map_err(failed)?))
}
