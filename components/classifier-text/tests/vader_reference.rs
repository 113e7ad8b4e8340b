//! VADER scores against the reference implementation, vaderSentiment 3.3.2.
//!
//! Expected values were produced by `SentimentIntensityAnalyzer().polarity_scores(text)` of the
//! reference (which rounds proportions to 3 decimals and the compound score to 4), covering every
//! rule: boosters and dampeners, capitals, "!" and "?" amplification, negation with N_SCALAR,
//! "no", "never so/this", "without doubt", "least", special-case idioms, "kind of", "but"
//! (including the reference's first-equal-value quirk), emoji and emoticons.

use classifier_text::sentiment::polarity_scores;

/// (text, neg, neu, pos, compound) from the reference.
const REFERENCE: &[(&str, f64, f64, f64, f64)] = &[
    ("VADER is smart, handsome, and funny.", 0.0, 0.254, 0.746, 0.8316),
    ("VADER is smart, handsome, and funny!", 0.0, 0.248, 0.752, 0.8439),
    ("VADER is very smart, handsome, and funny.", 0.0, 0.299, 0.701, 0.8545),
    ("VADER is VERY SMART, handsome, and FUNNY.", 0.0, 0.246, 0.754, 0.9227),
    ("VADER is VERY SMART, handsome, and FUNNY!!!", 0.0, 0.233, 0.767, 0.9342),
    ("VADER is VERY SMART, uber handsome, and FRIGGIN FUNNY!!!", 0.0, 0.294, 0.706, 0.9469),
    ("VADER is not smart, handsome, nor funny.", 0.646, 0.354, 0.0, -0.7424),
    ("The book was good.", 0.0, 0.508, 0.492, 0.4404),
    ("At least it isn't a horrible book.", 0.0, 0.678, 0.322, 0.431),
    ("The book was only kind of good.", 0.0, 0.697, 0.303, 0.3832),
    (
        "The plot was good, but the characters are uncompelling and the dialog is not great.",
        0.327,
        0.579,
        0.094,
        -0.7042,
    ),
    ("Today SUX!", 0.779, 0.221, 0.0, -0.5461),
    ("Today only kinda sux! But I'll get by, lol", 0.127, 0.556, 0.317, 0.5249),
    ("Make sure you :) or :D today!", 0.0, 0.294, 0.706, 0.8633),
    ("Catch utf-8 emoji such as 💘 and 💋 and 😁", 0.0, 0.583, 0.417, 0.875),
    ("Not bad at all", 0.0, 0.513, 0.487, 0.431),
    ("Sentiment analysis has never been good.", 0.325, 0.675, 0.0, -0.3412),
    ("Sentiment analysis has never been this good!", 0.0, 0.621, 0.379, 0.5672),
    ("Most automated sentiment analysis tools are shit.", 0.375, 0.625, 0.0, -0.5574),
    ("With VADER, sentiment analysis is the shit!", 0.0, 0.583, 0.417, 0.6476),
    ("Other sentiment analysis tools can be quite bad.", 0.351, 0.649, 0.0, -0.5849),
    ("On the other hand, VADER is quite bad ass", 0.0, 0.423, 0.577, 0.802),
    ("VADER is such a badass!", 0.0, 0.598, 0.402, 0.4003),
    ("Without a doubt, excellent idea.", 0.0, 0.341, 0.659, 0.7013),
    ("Roger Dodger is one of the most compelling variations on this theme.", 0.0, 0.834, 0.166, 0.2944),
    ("Roger Dodger is at least compelling as a variation on the theme.", 0.0, 0.853, 0.147, 0.2263),
    ("Roger Dodger is one of the least compelling variations on this theme.", 0.132, 0.868, 0.0, -0.1695),
    ("Not such a badass after all.", 0.289, 0.711, 0.0, -0.2584),
    ("Without a doubt, an excellent idea.", 0.0, 0.408, 0.592, 0.7013),
    ("It was one of the worst movies I've seen, despite good reviews.", 0.394, 0.606, 0.0, -0.7584),
    ("Unbelievably bad acting!!", 0.686, 0.314, 0.0, -0.6572),
    ("Poor direction.", 0.756, 0.244, 0.0, -0.4767),
    ("VERY poor production.", 0.674, 0.326, 0.0, -0.6281),
    ("VERY BAD movie!", 0.735, 0.265, 0.0, -0.7616),
    ("I love it but I hate it, good but bad, nice but awful", 0.446, 0.226, 0.328, -0.6858),
    ("good good but good good", 0.0, 0.079, 0.921, 0.891),
    ("great, great but great bad great", 0.214, 0.045, 0.74, 0.9127),
    ("No problem at all, no worries.", 0.0, 0.466, 0.534, 0.5559),
    ("There is no good or bad here.", 0.235, 0.488, 0.278, 0.1139),
    ("no love nor joy", 0.426, 0.253, 0.321, -0.2107),
    ("Are you serious?? This is terrible???", 0.573, 0.427, 0.0, -0.6553),
    ("What??? Really???? Amazing!!!!!", 0.0, 0.243, 0.757, 0.8031),
    ("I am sorry for the delay, thank you for waiting.", 0.275, 0.534, 0.191, -0.0258),
    ("This is kind of awesome but sort of sad.", 0.328, 0.5, 0.172, -0.4915),
    ("Yeah right, that was to die for.", 0.351, 0.45, 0.198, -0.4019),
    ("He had a beating heart and the bomb was the shit", 0.298, 0.307, 0.395, 0.4939),
    ("It is not the least bit good.", 0.0, 0.674, 0.326, 0.4404),
    ("THIS IS ALL CAPS GREAT", 0.0, 0.494, 0.506, 0.6249),
    ("I'm happy 😀😀 and 😢", 0.185, 0.298, 0.518, 0.6808),
    ("", 0.0, 0.0, 0.0, 0.0),
    ("   ", 0.0, 0.0, 0.0, 0.0),
    ("!!!", 0.0, 1.0, 0.0, 0.0),
    ("Call me back tomorrow.", 0.0, 1.0, 0.0, 0.0),
    ("Never so good, never this bad, never so happy", 0.222, 0.322, 0.456, 0.655),
    ("The very least good thing", 0.0, 0.557, 0.443, 0.4902),
    ("least good", 0.706, 0.294, 0.0, -0.3412),
    ("I don't like it, I can't stand it", 0.232, 0.768, 0.0, -0.2755),
    ("Thank you so much for your help!", 0.0, 0.477, 0.523, 0.6696),
    ("It isn't horrible, it's wonderful!", 0.36, 0.328, 0.312, -0.1129),
    ("Please stop calling me, this is harassment.", 0.475, 0.333, 0.192, -0.5267),
    ("Wow, we won the prize!", 0.0, 0.153, 0.847, 0.902),
    ("sad sad but sad happy", 0.577, 0.07, 0.353, -0.296),
];

#[test]
fn matches_the_reference_implementation() {
    let mut failures = Vec::new();
    for &(text, neg, neu, pos, compound) in REFERENCE {
        let s = polarity_scores(text);
        // Rounding in the reference leaves at most half a unit of the last decimal.
        let close = (s.negative - neg).abs() <= 0.0006
            && (s.neutral - neu).abs() <= 0.0006
            && (s.positive - pos).abs() <= 0.0006
            && (s.compound - compound).abs() <= 0.00006;
        if !close {
            failures.push(format!(
                "{text:?}: got neg {:.4} neu {:.4} pos {:.4} compound {:.5}, reference {neg} {neu} {pos} {compound}",
                s.negative, s.neutral, s.positive, s.compound
            ));
        }
    }
    assert!(failures.is_empty(), "{} of {} differ:\n{}", failures.len(), REFERENCE.len(), failures.join("\n"));
}

#[test]
fn the_readme_example_scores_0_8316() {
    let s = polarity_scores("VADER is smart, handsome, and funny.");
    assert!((s.compound - 0.8316).abs() < 0.01);
    assert!((s.positive + s.neutral + s.negative - 1.0).abs() < 1e-9);
}
