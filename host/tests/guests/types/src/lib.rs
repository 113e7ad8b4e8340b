//! Test guest for the host's value conversion: every function hands back its argument.

wit_bindgen::generate!({ path: "wit", world: "types-guest" });

use exports::switchboard_test::types::echo::{Color, Guest, Perms, Point, Shape};

struct Types;

impl Guest for Types {
    fn echo_bool(v: bool) -> bool {
        v
    }
    fn echo_u8(v: u8) -> u8 {
        v
    }
    fn echo_u16(v: u16) -> u16 {
        v
    }
    fn echo_u32(v: u32) -> u32 {
        v
    }
    fn echo_u64(v: u64) -> u64 {
        v
    }
    fn echo_s8(v: i8) -> i8 {
        v
    }
    fn echo_s16(v: i16) -> i16 {
        v
    }
    fn echo_s32(v: i32) -> i32 {
        v
    }
    fn echo_s64(v: i64) -> i64 {
        v
    }
    fn echo_f32(v: f32) -> f32 {
        v
    }
    fn echo_f64(v: f64) -> f64 {
        v
    }
    fn echo_char(v: char) -> char {
        v
    }
    fn echo_string(v: String) -> String {
        v
    }
    fn echo_list(v: Vec<i64>) -> Vec<i64> {
        v
    }
    fn echo_pair(v: (u8, String)) -> (u8, String) {
        v
    }
    fn echo_maybe(v: Option<u64>) -> Option<u64> {
        v
    }
    fn echo_outcome(v: Result<u32, String>) -> Result<u32, String> {
        v
    }
    fn echo_point(v: Point) -> Point {
        v
    }
    fn echo_shape(v: Shape) -> Shape {
        v
    }
    fn echo_color(v: Color) -> Color {
        v
    }
    fn echo_perms(v: Perms) -> Perms {
        v
    }
    fn echo_points(v: Vec<Option<Point>>) -> Vec<Option<Point>> {
        v
    }
}

export!(Types);
