//! An example Switchboard tool component.
//!
//! The WIT world in `wit/world.wit` describes the tools; `wit_bindgen::generate!`
//! turns it into Rust types and a `Guest` trait, and `export!` registers the
//! implementation below as the component's exports.

wit_bindgen::generate!({
    path: "wit",
    world: "hello-tool",
});

use exports::example::hello_tool::tools::{
    Direction, DivisionError, Guest, HandleProblem, Point, Shape, Style, TextStats,
};

/// The WIT source, embedded as a custom section so that Switchboard can show its
/// doc comments as tool descriptions: the component toolchain drops them from the
/// built `.wasm`.
#[unsafe(link_section = "switchboard-wit")]
#[used]
static WIT: [u8; include_bytes!("../wit/world.wit").len()] = *include_bytes!("../wit/world.wit");

/// Longest handle accepted by `check-handle`, in characters.
const MAX_HANDLE_CHARS: usize = 15;

struct HelloTool;

impl Guest for HelloTool {
    fn greet(name: String, shout: Option<bool>) -> String {
        let greeting = format!("Hello, {name}!");
        if shout.unwrap_or(false) { greeting.to_uppercase() } else { greeting }
    }

    fn area(shape: Shape) -> f64 {
        match shape {
            Shape::Circle(radius) => std::f64::consts::PI * radius * radius,
            Shape::Rectangle((width, height)) => (width * height).abs(),
            Shape::Polygon(corners) => polygon_area(&corners),
            Shape::Nothing => 0.0,
        }
    }

    fn turn(facing: Direction, quarter_turns: i32) -> Direction {
        const CLOCKWISE: [Direction; 4] = [Direction::North, Direction::East, Direction::South, Direction::West];
        let start = match facing {
            Direction::North => 0,
            Direction::East => 1,
            Direction::South => 2,
            Direction::West => 3,
        };
        // `rem_euclid` maps negative (counter-clockwise) turns onto 0..4 as well.
        let steps = quarter_turns.rem_euclid(4) as usize;
        CLOCKWISE[(start + steps) % 4]
    }

    fn sum(values: Vec<i64>) -> Result<i64, String> {
        values
            .into_iter()
            .try_fold(0_i64, i64::checked_add)
            .ok_or_else(|| "the sum does not fit in a signed 64-bit integer".to_string())
    }

    fn divide(dividend: u32, divisor: u32) -> Result<u32, DivisionError> {
        dividend.checked_div(divisor).ok_or(DivisionError::ByZero)
    }

    fn nearest(points: Vec<Point>) -> Option<Point> {
        // `min_by` keeps the earliest point on a tie.
        points.into_iter().min_by(|a, b| a.x.hypot(a.y).total_cmp(&b.x.hypot(b.y)))
    }

    fn decorate(text: String, style: Style) -> String {
        let mut out = text;
        if style.contains(Style::UNDERLINE) {
            out = format!("<u>{out}</u>");
        }
        if style.contains(Style::ITALIC) {
            out = format!("_{out}_");
        }
        if style.contains(Style::BOLD) {
            out = format!("**{out}**");
        }
        out
    }

    fn stats(text: String) -> TextStats {
        let mut words = 0_u32;
        let mut word_chars = 0_u64;
        let mut longest_word = "";
        let mut longest_chars = 0;
        for word in text.split_whitespace() {
            let chars = word.chars().count();
            words = words.saturating_add(1);
            word_chars += chars as u64;
            if chars > longest_chars {
                longest_word = word;
                longest_chars = chars;
            }
        }
        let mean_word_length = if words == 0 { 0.0 } else { (word_chars as f64 / f64::from(words)) as f32 };
        TextStats {
            chars: text.chars().count() as u64,
            words,
            first: text.chars().next(),
            longest_word: longest_word.to_string(),
            mean_word_length,
        }
    }

    fn clamp_byte(value: i64) -> u8 {
        value.clamp(0, u8::MAX.into()) as u8
    }

    fn check_handle(handle: String) -> Result<(), HandleProblem> {
        let length = handle.chars().count();
        if length == 0 {
            return Err(HandleProblem::Empty);
        }
        if length > MAX_HANDLE_CHARS {
            return Err(HandleProblem::TooLong(u32::try_from(length).unwrap_or(u32::MAX)));
        }
        let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_';
        match handle.chars().find(|&c| !allowed(c)) {
            Some(bad) => Err(HandleProblem::BadChar(bad)),
            None => Ok(()),
        }
    }
}

/// Area of a simple polygon by the shoelace formula; fewer than three corners give 0.
fn polygon_area(corners: &[Point]) -> f64 {
    if corners.len() < 3 {
        return 0.0;
    }
    let next = corners.iter().cycle().skip(1);
    let twice_signed: f64 = corners.iter().zip(next).map(|(a, b)| a.x * b.y - b.x * a.y).sum();
    twice_signed.abs() / 2.0
}

export!(HelloTool);
