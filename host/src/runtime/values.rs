//! JSON <-> component values, guided by [`WitType`].
//!
//! The mapping (the JSON Schema in `catalog::schema` describes the same one):
//! integers and floats are JSON numbers (floats also take "NaN", "Infinity", "-Infinity"),
//! `char` a one-character string, records objects with snake_case keys, variants either the
//! case name (no payload) or `{"case": payload}`, enums a case name, flags an array of names,
//! options the value or null, results `{"ok": ..}` or `{"err": ..}`, tuples and lists arrays,
//! maps with string keys objects (other maps arrays of `[key, value]`).
//!
//! Conversion from JSON is also the argument validation: the first mismatch is reported
//! with the path to the offending value, before any instance is created.

use super::types::{Int, Param, WitType};
use serde_json::{Map, Number, Value, json};
use std::fmt;
use wasmtime::component::Val;

/// An argument that does not fit the tool's input schema.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub struct ArgError {
    /// Where, as a path (`shape.polygon[2].x`); empty for the arguments object itself.
    pub path: String,
    pub message: String,
}

impl fmt::Display for ArgError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "`{}`: {}", self.path, self.message)
        }
    }
}

/// The JSON key of a WIT parameter or field name: `quarter-turns` -> `quarter_turns`.
pub fn json_key(wit_name: &str) -> String {
    wit_name.replace('-', "_")
}

/// Converts a tool's JSON arguments into the function's parameters.
pub fn args_to_vals(params: &[Param], args: Option<&Map<String, Value>>) -> Result<Vec<Val>, ArgError> {
    let empty = Map::new();
    let args = args.unwrap_or(&empty);
    let known: Vec<String> = params.iter().map(|p| json_key(&p.name)).collect();
    if let Some(extra) = args.keys().find(|k| !known.contains(k)) {
        let expected = if known.is_empty() { "none".to_string() } else { known.join(", ") };
        return Err(ArgError {
            path: String::new(),
            message: format!("unknown argument `{extra}`; this tool takes: {expected}"),
        });
    }
    params
        .iter()
        .zip(&known)
        .map(|(p, key)| match args.get(key) {
            Some(v) => from_json(&p.ty, v, key),
            None if matches!(p.ty, WitType::Option(_)) => Ok(Val::Option(None)),
            None => Err(ArgError {
                path: String::new(),
                message: format!("missing required argument `{key}` ({})", describe(&p.ty)),
            }),
        })
        .collect()
}

fn err(path: &str, message: impl Into<String>) -> ArgError {
    ArgError { path: path.to_owned(), message: message.into() }
}

fn got(v: &Value) -> String {
    let s = v.to_string();
    let kind = match v {
        Value::Null => return "null".into(),
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    };
    if s.len() > 40 { kind.to_string() } else { format!("{kind} {s}") }
}

/// A short human description of a type, for error messages.
pub fn describe(ty: &WitType) -> String {
    match ty {
        WitType::Bool => "a boolean".into(),
        WitType::Int(int) => {
            let (lo, hi) = int.bounds();
            format!("an integer from {lo} to {hi}")
        }
        WitType::F32 => format!("a number from {:e} to {:e} (f32)", f32::MIN, f32::MAX),
        WitType::F64 => "a number".into(),
        WitType::Char => "a single character".into(),
        WitType::String => "a string".into(),
        WitType::List(_) | WitType::FixedList(..) | WitType::Tuple(_) | WitType::Flags(..) => "an array".into(),
        WitType::Map(k, _) if **k == WitType::String => "an object".into(),
        WitType::Map(..) => "an array of [key, value] pairs".into(),
        WitType::Option(t) => format!("{} or null", describe(t)),
        WitType::Result { .. } => "an object {\"ok\": ...} or {\"err\": ...}".into(),
        WitType::Record(..) => "an object".into(),
        WitType::Variant(_, cases) => {
            let names: Vec<_> = cases.iter().map(|c| format!("`{}`", c.name)).collect();
            format!("one of the cases {}", names.join(", "))
        }
        WitType::Enum(_, cases) => {
            let names: Vec<_> = cases.iter().map(|c| format!("\"{}\"", c.name)).collect();
            format!("one of {}", names.join(", "))
        }
    }
}

/// The integer `v` is, compared exactly: serde_json keeps an integer literal that fits 64 bits
/// as an integer, and anything else (a fraction, an exponent, or beyond 64 bits) as an `f64`
/// that may already have been rounded, so a float is never taken for an integer. Out of range
/// is refused with the bounds, never brought into range.
fn integer(int: Int, v: &Value, path: &str) -> Result<i128, ArgError> {
    let (lo, hi) = int.bounds();
    let expected = || format!("expected an integer from {lo} to {hi}");
    let Value::Number(n) = v else {
        return Err(err(path, format!("{}, got {}", expected(), got(v))));
    };
    match n.as_i64().map(i128::from).or_else(|| n.as_u64().map(i128::from)) {
        Some(n) if (lo..=hi).contains(&n) => Ok(n),
        Some(n) => Err(err(path, format!("{}, got {n}, which is out of range", expected()))),
        None => Err(err(
            path,
            format!(
                "{}, got {}, which is not an integer: write it without a fraction or an exponent",
                expected(),
                got(v)
            ),
        )),
    }
}

/// The magnitude from which a number no longer rounds to a finite `f32`: `f32::MAX` plus half
/// its last place (2^128 - 2^103). An `f32` argument lies strictly within it.
pub const F32_LIMIT: f64 = 340282356779733661637539395458142568448.0;

/// A float; `f32` is true for an `f32` argument, whose finite values must round to a finite
/// `f32` (a larger one would become infinity, which the caller did not send).
fn float(v: &Value, path: &str, f32: bool) -> Result<f64, ArgError> {
    match v {
        Value::Number(n) => {
            // Without serde_json's `arbitrary_precision` every JSON number has an f64 view.
            let x = n.as_f64().ok_or_else(|| err(path, "number out of range"))?;
            if f32 && x.abs() >= F32_LIMIT {
                return Err(err(path, format!("expected {}, got {n}, which is out of range", describe(&WitType::F32))));
            }
            Ok(x)
        }
        Value::String(s) if s == "NaN" => Ok(f64::NAN),
        Value::String(s) if s == "Infinity" => Ok(f64::INFINITY),
        Value::String(s) if s == "-Infinity" => Ok(f64::NEG_INFINITY),
        _ => Err(err(path, format!("expected a number, got {}", got(v)))),
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() { key.to_owned() } else { format!("{path}.{key}") }
}

fn array<'v>(v: &'v Value, path: &str, what: &str) -> Result<&'v Vec<Value>, ArgError> {
    v.as_array().ok_or_else(|| err(path, format!("expected {what}, got {}", got(v))))
}

fn object<'v>(v: &'v Value, path: &str, what: &str) -> Result<&'v Map<String, Value>, ArgError> {
    v.as_object().ok_or_else(|| err(path, format!("expected {what}, got {}", got(v))))
}

/// Converts one JSON value to a component value of type `ty`.
pub fn from_json(ty: &WitType, v: &Value, path: &str) -> Result<Val, ArgError> {
    Ok(match ty {
        WitType::Bool => {
            Val::Bool(v.as_bool().ok_or_else(|| err(path, format!("expected a boolean, got {}", got(v))))?)
        }
        WitType::Int(int) => {
            let n = integer(*int, v, path)?;
            // In range: `integer` checked the bounds of this width.
            match int {
                Int::S8 => Val::S8(n as i8),
                Int::U8 => Val::U8(n as u8),
                Int::S16 => Val::S16(n as i16),
                Int::U16 => Val::U16(n as u16),
                Int::S32 => Val::S32(n as i32),
                Int::U32 => Val::U32(n as u32),
                Int::S64 => Val::S64(n as i64),
                Int::U64 => Val::U64(n as u64),
            }
        }
        WitType::F32 => Val::Float32(float(v, path, true)? as f32),
        WitType::F64 => Val::Float64(float(v, path, false)?),
        WitType::Char => {
            let s = v.as_str().ok_or_else(|| err(path, format!("expected a single character, got {}", got(v))))?;
            let mut chars = s.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) => Val::Char(c),
                _ => {
                    return Err(err(
                        path,
                        format!("expected exactly one character, got {} characters", s.chars().count()),
                    ));
                }
            }
        }
        WitType::String => {
            Val::String(v.as_str().ok_or_else(|| err(path, format!("expected a string, got {}", got(v))))?.to_owned())
        }
        WitType::List(inner) => Val::List(elements(inner, array(v, path, "an array")?, path)?),
        WitType::FixedList(inner, n) => {
            let items = array(v, path, "an array")?;
            if items.len() != *n as usize {
                return Err(err(path, format!("expected exactly {n} items, got {}", items.len())));
            }
            Val::FixedLengthList(elements(inner, items, path)?)
        }
        WitType::Tuple(types) => {
            let items = array(v, path, "an array")?;
            if items.len() != types.len() {
                return Err(err(path, format!("expected an array of {} items, got {}", types.len(), items.len())));
            }
            Val::Tuple(
                types
                    .iter()
                    .zip(items)
                    .enumerate()
                    .map(|(i, (t, item))| from_json(t, item, &format!("{path}[{i}]")))
                    .collect::<Result<_, _>>()?,
            )
        }
        WitType::Map(k, val) if **k == WitType::String => Val::Map(
            object(v, path, "an object")?
                .iter()
                .map(|(key, item)| Ok((Val::String(key.clone()), from_json(val, item, &join(path, key))?)))
                .collect::<Result<_, ArgError>>()?,
        ),
        WitType::Map(k, val) => Val::Map(
            array(v, path, "an array of [key, value] pairs")?
                .iter()
                .enumerate()
                .map(|(i, pair)| {
                    let at = format!("{path}[{i}]");
                    match pair.as_array().map(Vec::as_slice) {
                        Some([key, item]) => {
                            Ok((from_json(k, key, &format!("{at}[0]"))?, from_json(val, item, &format!("{at}[1]"))?))
                        }
                        _ => Err(err(&at, "expected a [key, value] pair")),
                    }
                })
                .collect::<Result<_, _>>()?,
        ),
        WitType::Option(inner) => match v {
            Value::Null => Val::Option(None),
            _ => Val::Option(Some(Box::new(from_json(inner, v, path)?))),
        },
        WitType::Result { ok, err: e } => {
            let obj = object(v, path, "an object {\"ok\": ...} or {\"err\": ...}")?;
            let (tag, payload) = single_entry(obj, path, &["ok", "err"])?;
            let ty = if tag == "ok" { ok } else { e };
            let payload = payload_of(ty.as_deref(), payload, &join(path, tag))?;
            Val::Result(if tag == "ok" { Ok(payload) } else { Err(payload) })
        }
        WitType::Record(_, fields) => {
            let obj = object(v, path, "an object")?;
            let keys: Vec<String> = fields.iter().map(|f| json_key(&f.name)).collect();
            if let Some(extra) = obj.keys().find(|k| !keys.contains(k)) {
                return Err(err(path, format!("unknown field `{extra}`; expected fields: {}", keys.join(", "))));
            }
            Val::Record(
                fields
                    .iter()
                    .zip(&keys)
                    .map(|(f, key)| {
                        let at = join(path, key);
                        let val = match obj.get(key) {
                            Some(item) => from_json(&f.ty, item, &at)?,
                            None if matches!(f.ty, WitType::Option(_)) => Val::Option(None),
                            None => return Err(err(&at, format!("missing required field ({})", describe(&f.ty)))),
                        };
                        Ok((f.name.clone(), val))
                    })
                    .collect::<Result<_, _>>()?,
            )
        }
        WitType::Variant(_, cases) => {
            let names: Vec<&str> = cases.iter().map(|c| c.name.as_str()).collect();
            let (tag, payload) = match v {
                Value::String(s) => (s.as_str(), None),
                Value::Object(obj) => {
                    let (tag, payload) = single_entry(obj, path, &names)?;
                    (tag, Some(payload))
                }
                _ => return Err(err(path, format!("expected {}, got {}", describe(ty), got(v)))),
            };
            let case = cases
                .iter()
                .find(|c| c.name == tag)
                .ok_or_else(|| err(path, format!("unknown case \"{tag}\"; expected {}", describe(ty))))?;
            let payload = match (&case.ty, payload) {
                (None, None | Some(Value::Null)) => None,
                (Some(t), Some(p)) => Some(Box::new(from_json(t, p, &join(path, tag))?)),
                (Some(t), None) => {
                    return Err(err(path, format!("case `{tag}` carries {}: write {{\"{tag}\": ...}}", describe(t))));
                }
                (None, Some(_)) => return Err(err(path, format!("case `{tag}` carries no value: write \"{tag}\""))),
            };
            Val::Variant(tag.to_owned(), payload)
        }
        WitType::Enum(_, cases) => {
            let s = v
                .as_str()
                .filter(|s| cases.iter().any(|c| c.name == *s))
                .ok_or_else(|| err(path, format!("expected {}, got {}", describe(ty), got(v))))?;
            Val::Enum(s.to_owned())
        }
        WitType::Flags(_, flags) => {
            let items = array(v, path, "an array of flag names")?;
            let mut set = Vec::new();
            for (i, item) in items.iter().enumerate() {
                let name = item.as_str().filter(|s| flags.iter().any(|f| f.name == *s)).ok_or_else(|| {
                    let names: Vec<_> = flags.iter().map(|f| format!("\"{}\"", f.name)).collect();
                    err(&format!("{path}[{i}]"), format!("expected one of {}, got {}", names.join(", "), got(item)))
                })?;
                if !set.iter().any(|s: &String| s == name) {
                    set.push(name.to_owned());
                }
            }
            Val::Flags(set)
        }
    })
}

fn elements(inner: &WitType, items: &[Value], path: &str) -> Result<Vec<Val>, ArgError> {
    items.iter().enumerate().map(|(i, item)| from_json(inner, item, &format!("{path}[{i}]"))).collect()
}

fn single_entry<'v>(
    obj: &'v Map<String, Value>,
    path: &str,
    allowed: &[&str],
) -> Result<(&'v str, &'v Value), ArgError> {
    let expected = allowed.iter().map(|a| format!("`{a}`")).collect::<Vec<_>>().join(", ");
    let mut entries = obj.iter();
    match (entries.next(), entries.next()) {
        (Some((k, v)), None) if allowed.contains(&k.as_str()) => Ok((k.as_str(), v)),
        (Some((k, _)), None) => Err(err(path, format!("unknown key `{k}`; expected exactly one of {expected}"))),
        _ => Err(err(path, format!("expected an object with exactly one key, one of {expected}"))),
    }
}

fn payload_of(ty: Option<&WitType>, v: &Value, path: &str) -> Result<Option<Box<Val>>, ArgError> {
    match ty {
        None if v.is_null() => Ok(None),
        None => Err(err(path, "this case carries no value: use null")),
        Some(t) => Ok(Some(Box::new(from_json(t, v, path)?))),
    }
}

fn float_json(f: f64) -> Value {
    if f.is_nan() {
        json!("NaN")
    } else if f.is_infinite() {
        json!(if f > 0.0 { "Infinity" } else { "-Infinity" })
    } else {
        Number::from_f64(f).map(Value::Number).unwrap_or(Value::Null)
    }
}

/// Converts a component value back to JSON (the inverse of [`from_json`]).
pub fn to_json(ty: &WitType, v: &Val) -> Value {
    match (ty, v) {
        (_, Val::Bool(b)) => json!(b),
        (_, Val::S8(n)) => json!(n),
        (_, Val::U8(n)) => json!(n),
        (_, Val::S16(n)) => json!(n),
        (_, Val::U16(n)) => json!(n),
        (_, Val::S32(n)) => json!(n),
        (_, Val::U32(n)) => json!(n),
        (_, Val::S64(n)) => json!(n),
        (_, Val::U64(n)) => json!(n),
        // Print the f32 through its shortest decimal form, not its f64 widening.
        (_, Val::Float32(f)) => f.to_string().parse::<f64>().map(float_json).unwrap_or_else(|_| float_json(*f as f64)),
        (_, Val::Float64(f)) => float_json(*f),
        (_, Val::Char(c)) => json!(c.to_string()),
        (_, Val::String(s)) => json!(s),
        (WitType::List(t) | WitType::FixedList(t, _), Val::List(items) | Val::FixedLengthList(items)) => {
            Value::Array(items.iter().map(|i| to_json(t, i)).collect())
        }
        (WitType::Tuple(types), Val::Tuple(items)) => {
            Value::Array(types.iter().zip(items).map(|(t, i)| to_json(t, i)).collect())
        }
        (WitType::Map(k, t), Val::Map(pairs)) if **k == WitType::String => Value::Object(
            pairs
                .iter()
                .map(|(key, val)| {
                    let key = match key {
                        Val::String(s) => s.clone(),
                        other => format!("{other:?}"),
                    };
                    (key, to_json(t, val))
                })
                .collect(),
        ),
        (WitType::Map(k, t), Val::Map(pairs)) => {
            Value::Array(pairs.iter().map(|(key, val)| json!([to_json(k, key), to_json(t, val)])).collect())
        }
        (WitType::Option(t), Val::Option(o)) => o.as_ref().map_or(Value::Null, |v| to_json(t, v)),
        (WitType::Result { ok, err }, Val::Result(r)) => {
            let (tag, ty, payload) = match r {
                Ok(p) => ("ok", ok, p),
                Err(p) => ("err", err, p),
            };
            let value = match (ty, payload) {
                (Some(t), Some(p)) => to_json(t, p),
                _ => Value::Null,
            };
            json!({ tag: value })
        }
        (WitType::Record(_, fields), Val::Record(items)) => Value::Object(
            fields.iter().zip(items).map(|(f, (_, val))| (json_key(&f.name), to_json(&f.ty, val))).collect(),
        ),
        (WitType::Variant(_, cases), Val::Variant(tag, payload)) => {
            let case_ty = cases.iter().find(|c| &c.name == tag).and_then(|c| c.ty.as_ref());
            match (case_ty, payload) {
                (Some(t), Some(p)) => json!({ tag.clone(): to_json(t, p) }),
                _ => json!(tag),
            }
        }
        (_, Val::Enum(name)) => json!(name),
        (_, Val::Flags(names)) => json!(names),
        // The component's value does not match its declared type: wasmtime type-checks
        // results, so this is unreachable in practice; render something rather than panic.
        (_, other) => json!(format!("{other:?}")),
    }
}

/// Roughly how many bytes a value takes, to cap what a component may return.
pub fn size_of(v: &Val) -> u64 {
    match v {
        Val::String(s) => s.len() as u64,
        Val::List(items) | Val::Tuple(items) | Val::FixedLengthList(items) => {
            8 + items.iter().map(size_of).sum::<u64>()
        }
        Val::Record(fields) => fields.iter().map(|(k, v)| k.len() as u64 + size_of(v)).sum(),
        Val::Map(pairs) => pairs.iter().map(|(k, v)| size_of(k) + size_of(v)).sum(),
        Val::Variant(tag, payload) => tag.len() as u64 + payload.as_deref().map_or(0, size_of),
        Val::Option(o) => 1 + o.as_deref().map_or(0, size_of),
        Val::Result(Ok(p) | Err(p)) => 1 + p.as_deref().map_or(0, size_of),
        Val::Enum(name) => name.len() as u64,
        Val::Flags(names) => names.iter().map(|n| n.len() as u64).sum(),
        _ => 8,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn int(int: Int, text: &str) -> Result<Val, ArgError> {
        from_json(&WitType::Int(int), &serde_json::from_str(text).unwrap(), "v")
    }

    #[test]
    fn integers_are_taken_exactly_or_refused_with_their_bounds() {
        assert_eq!(int(Int::S64, "-9223372036854775808"), Ok(Val::S64(i64::MIN)));
        assert_eq!(int(Int::U64, "18446744073709551615"), Ok(Val::U64(u64::MAX)));
        for (ty, text) in [
            (Int::S64, "-9223372036854775809"),
            (Int::S64, "9223372036854775808"),
            (Int::S64, "-9223372036854775808.5"),
            (Int::U64, "18446744073709551616"),
            (Int::U64, "-1"),
            (Int::U8, "256"),
            (Int::U8, "1.0"),
            (Int::U8, "1e2"),
            (Int::S8, "-129"),
        ] {
            let e = int(ty, text).unwrap_err();
            let (lo, hi) = ty.bounds();
            assert!(e.message.contains(&format!("from {lo} to {hi}")), "{text}: {e}");
        }
    }

    #[test]
    fn an_f32_beyond_its_range_is_refused_not_made_infinite() {
        let f32 = |text: &str| from_json(&WitType::F32, &serde_json::from_str(text).unwrap(), "v");
        assert_eq!(f32("3.4028235e38"), Ok(Val::Float32(f32::MAX)));
        assert_eq!(f32("-3.4028235e38"), Ok(Val::Float32(f32::MIN)));
        assert!(f32("3.4028236e38").unwrap_err().message.contains("3.4028235e38 (f32)"));
        assert!(f32("-1e39").is_err());
        assert!(f32("1e300").is_err());
        assert_eq!(from_json(&WitType::F64, &json!(1e300), "v"), Ok(Val::Float64(1e300)));
    }

    #[test]
    fn u64_and_s64_results_stay_exact() {
        assert_eq!(to_json(&WitType::Int(Int::U64), &Val::U64(u64::MAX)).to_string(), "18446744073709551615");
        assert_eq!(to_json(&WitType::Int(Int::S64), &Val::S64(i64::MIN)).to_string(), "-9223372036854775808");
    }
}
