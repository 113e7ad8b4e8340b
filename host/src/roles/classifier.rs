//! The classifier role: one component that labels text (sentence kinds, sentiment and
//! emotion, emphasis, pacing, call intent, quality). `classify_text` and `speak` use it.

use crate::runtime::roles::{Analysis, Intent, QualityReport};
use crate::runtime::{CallError, LoadedComponent, Runtime};

/// Everything the classifier says about a text.
pub struct Classified {
    pub analysis: Analysis,
    pub intent: Intent,
    pub quality: QualityReport,
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum ClassifyError {
    #[error("no classifier component is loaded; load one (the built-in is `classifier_text`)")]
    Missing,
    #[error("the classifier `{component}` failed: {source}")]
    Call { component: String, source: CallError },
}

/// Runs the three classifications of `text` at once; `max_characters` is the length the
/// quality check measures against.
pub async fn classify(
    runtime: &Runtime,
    component: Option<&LoadedComponent>,
    text: &str,
    max_characters: u32,
) -> Result<Classified, ClassifyError> {
    let component = component.ok_or(ClassifyError::Missing)?;
    let failed = |source| ClassifyError::Call { component: component.name.clone(), source };
    let (analysis, intent, quality) = tokio::join!(
        runtime.classify_analyze(component, text),
        runtime.classify_intent(component, text),
        runtime.check_quality(component, text, max_characters)
    );
    Ok(Classified {
        analysis: analysis.map_err(failed)?,
        intent: intent.map_err(failed)?,
        quality: quality.map_err(failed)?,
    })
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
