//! Phrase patterns for `intent.rs`. Pure data.
//!
//! Patterns match normalised tokens: lower case, contractions expanded ("don't" is "do not",
//! "I'm" is "i am", "can't" and "cannot" are "can not"), hyphenated words split ("opt-out" is
//! "opt out"). Elements, separated by spaces:
//!
//! - `word` or `a|b|c`: one token, one of the alternatives;
//! - `?word` or `?a|b`: optionally one such token;
//! - `!word` or `!a|b`: the next token is not one of these (it is not consumed);
//! - `#` among the alternatives of a token: a number of one or two digits (an hour, a day);
//! - `*`: a gap of zero to three tokens;
//! - `^`: only fillers ("um", "well", "oh", …) before this point;
//! - `$`: only trailers ("please", "thanks", "now", …) after this point.
//!
//! The FCC revocation words themselves (stop, quit, end, revoke, opt out, cancel, unsubscribe)
//! are judged in context by `intent.rs`, not here.

use crate::intent::{Label, Label::*, Neg, Neg::*};

/// (pattern, label, weight, what a preceding "not"/"never" does to it).
pub const PATTERNS: &[(&str, Label, f32, Neg)] = &[
    // Opt-out paraphrases. Each states the wish not to be contacted; none needs a keyword.
    ("take me|us off", OptOut, 0.95, Skip),
    ("take my|our ?phone number|name|names|info|information|details|numbers off", OptOut, 0.95, Skip),
    ("take * off * list|lists|database|system|records|file", OptOut, 0.95, Skip),
    ("remove me|us", OptOut, 0.95, Skip),
    ("remove my|our ?phone number|name|names|info|information|details|numbers", OptOut, 0.95, Skip),
    ("remove * from * list|lists|database|system|records|file", OptOut, 0.95, Skip),
    ("put me|us|my|our * on * do not call", OptOut, 0.95, Skip),
    ("do not call|contact list|registry", OptOut, 0.95, Keep),
    ("no call list", OptOut, 0.9, Keep),
    ("dnc", OptOut, 0.9, Keep),
    ("do not ?ever call|text|contact|email|message|phone|ring|bother me|us|again|anymore|here|back", OptOut, 0.9, Keep),
    ("do not ?ever call|text|contact|email|message|phone|ring this|my number", OptOut, 0.9, Keep),
    ("never call|text|contact|phone|ring me|us|here ?again", OptOut, 0.85, Keep),
    ("not * call|text|contact|phone|ring me|us again|anymore", OptOut, 0.9, Keep),
    ("leave me|us alone", OptOut, 0.9, Skip),
    ("go away", OptOut, 0.8, Skip),
    ("fuck|piss|bugger|buzz|f off", OptOut, 0.8, Skip),
    ("^ remove $", OptOut, 0.85, Keep),
    ("no more calls|calling|texts|text|messages|contact|robocalls", OptOut, 0.95, Keep),
    ("no more phone calls", OptOut, 0.95, Keep),
    ("lose|delete|erase my|our ?phone number|info|information|details|data|name", OptOut, 0.9, Skip),
    ("do not want|need * calls|calling|texts|messages|contact|robocalls", OptOut, 0.9, Keep),
    ("no longer want|wish * calls|calling|called|contact|contacted|texts|messages", OptOut, 0.9, Keep),
    ("no longer consent", OptOut, 0.9, Keep),
    ("be removed", OptOut, 0.9, Skip),
    ("be taken off", OptOut, 0.9, Skip),
    ("withdraw * consent", OptOut, 0.95, Skip),
    ("do not consent", OptOut, 0.9, Keep),
    ("do not have|give * permission|consent", OptOut, 0.85, Keep),
    // Wrong number.
    ("wrong number|numbers|person|guy|lady|house|one|name|people|family|man|woman", WrongNumber, 0.9, Skip),
    ("have|got|called|dialed|dialled|reached the wrong", WrongNumber, 0.9, Skip),
    ("no one|body * by that|the name", WrongNumber, 0.9, Keep),
    ("nobody * by that|the name", WrongNumber, 0.9, Keep),
    ("no one|body * here|named|called", WrongNumber, 0.85, Keep),
    ("nobody here|named|called", WrongNumber, 0.85, Keep),
    ("there is no * here", WrongNumber, 0.9, Keep),
    ("not * live|living|lives|work|works|working here|there", WrongNumber, 0.8, Keep),
    ("no longer live|lives|living|work|works|working here|there", WrongNumber, 0.8, Keep),
    ("not his|her|their|your|the right number", WrongNumber, 0.8, Keep),
    ("not * number anymore", WrongNumber, 0.75, Keep),
    ("do not know a|any|anyone|anybody|him|her|them|who|whoever|no", WrongNumber, 0.6, Keep),
    ("never heard of", WrongNumber, 0.6, Keep),
    ("not the person|guy|lady|man|woman you", WrongNumber, 0.8, Keep),
    ("moved out|away", WrongNumber, 0.7, Skip),
    ("^ wrong $", WrongNumber, 0.6, Keep),
    ("who are you looking|trying for|to", WrongNumber, 0.4, Keep),
    // Call back later.
    ("call|ring|phone me|us|you back", CallBackLater, 0.9, Skip),
    ("call|ring|phone back", CallBackLater, 0.85, Skip),
    (
        "call|ring|phone|try|reach * later|tomorrow|tonight|again|afterwards|another|sometime|monday|tuesday|wednesday|thursday|friday|saturday|sunday|weekend",
        CallBackLater,
        0.85,
        Skip,
    ),
    (
        "call|ring|phone|try|reach * this|next|tomorrow|after|around|on|at|before week|month|time|morning|afternoon|evening|night|weekend|lunch|noon|monday|tuesday|wednesday|thursday|friday|saturday|sunday|#",
        CallBackLater,
        0.85,
        Skip,
    ),
    ("call|ring|phone|try|reach * in * minutes|hours|minute|hour|while", CallBackLater, 0.8, Skip),
    ("busy", CallBackLater, 0.75, Skip),
    ("not a good|great|convenient|nice time", CallBackLater, 0.8, Keep),
    ("bad|busy|inconvenient time", CallBackLater, 0.75, Keep),
    ("not now|today|tonight", CallBackLater, 0.6, Keep),
    ("not right now", CallBackLater, 0.65, Keep),
    ("in a|the meeting|middle|hurry", CallBackLater, 0.75, Skip),
    ("driving", CallBackLater, 0.7, Skip),
    ("at work", CallBackLater, 0.65, Skip),
    ("with a customer|client|patient", CallBackLater, 0.7, Skip),
    ("on another|other call|line", CallBackLater, 0.75, Skip),
    ("on the other line", CallBackLater, 0.75, Skip),
    ("can not talk|speak|chat", CallBackLater, 0.75, Keep),
    ("not able|free to talk|speak|chat", CallBackLater, 0.75, Keep),
    ("unable to talk|speak|chat", CallBackLater, 0.75, Keep),
    ("some other time|day", CallBackLater, 0.75, Skip),
    ("another time|day", CallBackLater, 0.75, Skip),
    ("later", CallBackLater, 0.55, Skip),
    ("tomorrow", CallBackLater, 0.45, Skip),
    ("get back to you", CallBackLater, 0.6, Skip),
    // Not interested.
    ("not * interested", NotInterested, 0.9, Keep),
    ("no interest", NotInterested, 0.85, Keep),
    ("uninterested|disinterested", NotInterested, 0.85, Skip),
    ("not for me|us", NotInterested, 0.8, Keep),
    ("no thanks|thank|thankyou|thx", NotInterested, 0.85, Keep),
    ("^ no|nope|nah", NotInterested, 0.6, Keep),
    ("i|we am|are good $", NotInterested, 0.5, Skip),
    ("i|we am|are fine $", NotInterested, 0.5, Skip),
    ("all set", NotInterested, 0.6, Skip),
    ("do not need|want ?it|this|that|any|one|your|anything|them|those|these", NotInterested, 0.75, Keep),
    ("not looking|buying|shopping", NotInterested, 0.7, Keep),
    ("not in the market", NotInterested, 0.7, Keep),
    ("do not think so", NotInterested, 0.6, Keep),
    ("absolutely|definitely|certainly|surely not", NotInterested, 0.9, Keep),
    ("of course not", NotInterested, 0.9, Keep),
    ("^ uh|nuh uh $", NotInterested, 0.6, Keep),
    ("will|going|have ?to ?have ?to pass", NotInterested, 0.8, Skip),
    ("^ pass $", NotInterested, 0.6, Skip),
    ("no way", NotInterested, 0.75, Keep),
    ("not really $", NotInterested, 0.5, Keep),
    ("already have|got ?a|an|one|it|that|this|the|some|someone|somebody", NotInterested, 0.6, Skip),
    ("forget it", NotInterested, 0.6, Skip),
    ("get lost", NotInterested, 0.8, Skip),
    ("do not bother $", NotInterested, 0.6, Keep),
    ("not at this time", NotInterested, 0.55, Keep),
    // Interested.
    ("yes|yeah|yep|yup|yea|ya", Interested, 0.7, Skip),
    ("sure|absolutely|definitely|certainly !not", Interested, 0.7, Skip),
    ("of course !not", Interested, 0.7, Skip),
    ("okay|alright", Interested, 0.5, Skip),
    ("all right", Interested, 0.5, Skip),
    ("sounds good|great|interesting|nice|fine|perfect|awesome|cool", Interested, 0.8, Skip),
    ("tell me more", Interested, 0.9, Skip),
    ("tell me|us about", Interested, 0.7, Skip),
    ("more info|information|details", Interested, 0.75, Skip),
    ("go ahead|on", Interested, 0.7, Skip),
    ("interested", Interested, 0.85, Flip),
    ("would like|love", Interested, 0.7, Flip),
    ("want|need it|that|this|one|some|in|more", Interested, 0.5, Flip),
    ("hear|know|learn more", Interested, 0.75, Skip),
    ("let us do|go|talk|hear", Interested, 0.75, Skip),
    ("sign me|us up", Interested, 0.9, Skip),
    ("count me|us in", Interested, 0.9, Skip),
    ("i|we am|are in $", Interested, 0.7, Skip),
    ("how much", Interested, 0.6, Skip),
    ("how does it|this|that work", Interested, 0.6, Skip),
    ("what is the price|cost|rate|rates|catch|deal|offer", Interested, 0.6, Skip),
    ("that works|would work", Interested, 0.7, Skip),
    ("works for me|us", Interested, 0.7, Skip),
    ("please continue", Interested, 0.65, Skip),
    ("keep going", Interested, 0.65, Skip),
    ("i am listening", Interested, 0.65, Skip),
    ("why not", Interested, 0.6, Skip),
];

/// Words that may precede the start anchor `^`.
pub const FILLERS: &[&str] = &["um", "uh", "umm", "uhh", "er", "well", "oh", "hmm", "so", "and", "ah", "hey", "hi"];

/// Words that may follow the end anchor `$`.
pub const TRAILERS: &[&str] = &[
    "please", "thanks", "thank", "you", "now", "man", "sir", "maam", "ma'am", "buddy", "okay", "then", "though",
    "anyway", "today", "honestly", "really", "sorry",
];
