//! Properties of the conversion between a tool's JSON and a component's values, over every
//! WIT type the host converts, through a real component (the `types` test guest, whose every
//! function hands back its argument):
//!
//! - a value of the type goes in and comes back as the same JSON;
//! - a number out of its type's range (its bounds, one past them, far past them) or not an
//!   integer is refused, with the bounds in the message, and never reaches the component;
//! - the tool's input JSON Schema, checked by an independent validator (`jsonschema`),
//!   accepts exactly what the converter accepts.

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{Map, Value, json};
use std::path::Path;
use std::sync::OnceLock;
use switchboard::catalog::schema;
use switchboard::policy::{Limits, PolicySpec};
use switchboard::runtime::{CallError, EngineSettings, LoadedComponent, Runtime};

struct Guest {
    tokio: tokio::runtime::Runtime,
    runtime: Runtime,
    component: LoadedComponent,
}

fn guest() -> &'static Guest {
    static GUEST: OnceLock<Guest> = OnceLock::new();
    GUEST.get_or_init(|| {
        let settings = EngineSettings { max_instances: 16, max_memory_bytes: 64 << 20, pooling: false };
        let runtime = Runtime::new(&settings, None).unwrap();
        let policy = PolicySpec::default().resolve(Path::new("test"), &Limits::default(), |_| None).unwrap();
        let bytes = std::fs::read(env!("SWITCHBOARD_GUEST_TYPES")).unwrap();
        let component = runtime.load("types", &bytes, policy, "test").unwrap();
        let tokio = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        Guest { tokio, runtime, component }
    })
}

/// What `echo-<ty>` does with `v`: the JSON it hands back, or the refusal's message.
fn echo(ty: &str, v: &Value) -> Result<Value, String> {
    let g = guest();
    let name = format!("echo-{ty}");
    let index = g.component.surface.functions.iter().position(|f| f.name == name).unwrap();
    let mut args = Map::new();
    args.insert("v".into(), v.clone());
    match g.tokio.block_on(g.runtime.call(&g.component, index, Some(&args))) {
        Ok(out) => Ok(out.value.unwrap()),
        Err(CallError::InvalidArguments(e)) => Err(e.to_string()),
        Err(e) => panic!("echo-{ty} failed other than by refusing its argument: {e}"),
    }
}

/// Whether the input schema of `echo-<ty>` accepts `{"v": v}`.
fn schema_accepts(ty: &str, v: &Value) -> bool {
    let g = guest();
    let name = format!("echo-{ty}");
    let func = g.component.surface.functions.iter().find(|f| f.name == name).unwrap();
    let validator = jsonschema::validator_for(&Value::Object(schema::input(func))).unwrap();
    validator.is_valid(&json!({ "v": v }))
}

/// The converter and the schema agree on `v`; the converter's answer.
///
/// One difference is by design: JSON Schema's data model takes `3.0` for the integer 3, and a
/// validator reading doubles cannot tell `-9223372036854775809` from `-9223372036854775808`.
/// The host is stricter: an integer written with a fraction or an exponent, or beyond 64 bits,
/// reaches it as a double that may already have been rounded, so it is refused as not an
/// integer. The schema never accepts less than the converter.
fn agreed(ty: &str, v: &Value) -> Result<Value, String> {
    let answer = echo(ty, v);
    match (&answer, schema_accepts(ty, v)) {
        (Ok(_), true) | (Err(_), false) => {}
        (Err(refused), true) if has_integral_float(v) && refused.contains("not an integer") => {}
        (_, schema) => panic!("echo-{ty}({v}): the schema says {schema}, the converter {answer:?}"),
    }
    answer
}

/// Whether `v` holds a number in floating-point form whose value is a whole number.
fn has_integral_float(v: &Value) -> bool {
    match v {
        Value::Number(n) => n.is_f64() && n.as_f64().is_some_and(|f| f.fract() == 0.0),
        Value::Array(items) => items.iter().any(has_integral_float),
        Value::Object(map) => map.values().any(has_integral_float),
        _ => false,
    }
}

fn runner() -> TestRunner {
    TestRunner::new(Config { cases: 256, failure_persistence: None, ..Config::default() })
}

/// The integer types, with their bounds.
const INTS: [(&str, i128, i128); 8] = [
    ("u8", 0, u8::MAX as i128),
    ("u16", 0, u16::MAX as i128),
    ("u32", 0, u32::MAX as i128),
    ("u64", 0, u64::MAX as i128),
    ("s8", i8::MIN as i128, i8::MAX as i128),
    ("s16", i16::MIN as i128, i16::MAX as i128),
    ("s32", i32::MIN as i128, i32::MAX as i128),
    ("s64", i64::MIN as i128, i64::MAX as i128),
];

/// An integer written as JSON text exactly, whatever its size.
fn integer_json(n: i128) -> Value {
    serde_json::from_str(&n.to_string()).unwrap()
}

#[test]
fn every_integer_in_range_comes_back_unchanged() {
    for (ty, lo, hi) in INTS {
        let values = prop_oneof![lo..=hi, Just(lo), Just(hi), Just(0i128.clamp(lo, hi))];
        runner()
            .run(&values, |n| {
                let v = integer_json(n);
                prop_assert_eq!(agreed(ty, &v), Ok(v.clone()));
                Ok(())
            })
            .unwrap();
    }
}

#[test]
fn every_integer_out_of_range_is_refused_with_its_bounds() {
    for (ty, lo, hi) in INTS {
        // One past each bound, and far past (still within what JSON text can say).
        let beyond = prop_oneof![
            Just(lo - 1),
            Just(hi + 1),
            (i128::MIN / 2)..(lo - 1).max(i128::MIN / 2 + 1),
            (hi + 1)..(i128::MAX / 2),
        ];
        runner()
            .run(&beyond, |n| {
                let refused = agreed(ty, &integer_json(n)).unwrap_err();
                prop_assert!(refused.contains(&format!("from {lo} to {hi}")), "{ty} {n}: {refused}");
                Ok(())
            })
            .unwrap();
    }
}

#[test]
fn a_number_that_is_not_an_integer_is_refused_for_every_integer_type() {
    let fractions = prop_oneof![
        (-1e6f64..1e6).prop_filter("a fraction", |f| f.fract() != 0.0),
        Just(-9223372036854775808.5),
        Just(0.5),
        Just(f64::MAX),
    ];
    for (ty, lo, hi) in INTS {
        runner()
            .run(&fractions, |f| {
                let refused = agreed(ty, &json!(f)).unwrap_err();
                prop_assert!(refused.contains(&format!("from {lo} to {hi}")), "{ty} {f}: {refused}");
                Ok(())
            })
            .unwrap();
    }
}

#[test]
fn floats_come_back_unchanged_and_an_f32_out_of_range_is_refused() {
    runner()
        .run(&prop_oneof![proptest::num::f64::NORMAL, proptest::num::f64::SUBNORMAL, Just(0.0)], |f| {
            prop_assert_eq!(agreed("f64", &json!(f)), Ok(json!(f)));
            Ok(())
        })
        .unwrap();
    runner()
        .run(&proptest::num::f32::NORMAL, |f| {
            // What goes in is the shortest decimal of an f32; what comes out must be the same.
            let v: Value = serde_json::from_str(&format!("{f:e}")).unwrap();
            let back = agreed("f32", &v).unwrap();
            prop_assert_eq!(back.as_f64().map(|b| b as f32), Some(f));
            Ok(())
        })
        .unwrap();
    for text in ["3.4028236e38", "-3.4028236e38", "1e39", "1e300", "-1.7976931348623157e308"] {
        let refused = agreed("f32", &serde_json::from_str(text).unwrap()).unwrap_err();
        assert!(refused.contains("3.4028235e38 (f32)"), "{text}: {refused}");
    }
    for special in ["NaN", "Infinity", "-Infinity"] {
        assert_eq!(agreed("f32", &json!(special)), Ok(json!(special)));
        assert_eq!(agreed("f64", &json!(special)), Ok(json!(special)));
    }
}

/// Any JSON value, small.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        (-1e20f64..1e20).prop_map(|f| json!(f)),
        "[a-z]{0,3}".prop_map(Value::from),
        prop_oneof![Just("red"), Just("nothing"), Just("read"), Just("x"), Just("y"), Just("ok"), Just("err")]
            .prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("x".to_string()),
                    Just("y".to_string()),
                    Just("label".to_string()),
                    Just("ok".to_string()),
                    Just("err".to_string()),
                    Just("circle".to_string()),
                    Just("at".to_string()),
                    Just("named".to_string()),
                    "[a-z]{1,2}",
                ],
                inner,
                0..3
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Every type: what the schema accepts, the converter accepts, and what it accepts comes back
/// as it went in (floats compared as numbers).
#[test]
fn the_schema_accepts_exactly_what_the_converter_accepts_and_that_round_trips() {
    let types = [
        "bool", "u8", "u16", "u32", "u64", "s8", "s16", "s32", "s64", "f64", "char", "string", "list", "pair", "maybe",
        "outcome", "point", "shape", "color", "perms", "points",
    ];
    for ty in types {
        runner()
            .run(&any_json(), |v| {
                if let Ok(back) = agreed(ty, &v) {
                    prop_assert!(same(&v, &back), "echo-{}({}) came back as {}", ty, v, back);
                }
                Ok(())
            })
            .unwrap();
    }
}

/// Whether `back` is what was sent: the same JSON, a float compared by value (`1e20` may come
/// back as `100000000000000000000.0`), an absent optional field as `null`, flags in their
/// declared order.
fn same(sent: &Value, back: &Value) -> bool {
    match (sent, back) {
        (Value::Number(a), Value::Number(b)) if a.is_f64() || b.is_f64() => a.as_f64() == b.as_f64(),
        (Value::Array(a), Value::Array(b)) => {
            a.len() == b.len() && (a.iter().zip(b).all(|(x, y)| same(x, y)) || same_set(a, b))
        }
        (Value::Object(a), Value::Object(b)) => {
            b.iter().all(|(k, y)| a.get(k).map_or(y.is_null(), |x| same(x, y))) && a.keys().all(|k| b.contains_key(k))
        }
        _ => sent == back,
    }
}

/// Flags: the same names, in any order.
fn same_set(a: &[Value], b: &[Value]) -> bool {
    a.iter().all(|x| b.contains(x)) && b.iter().all(|y| a.contains(y))
}

#[test]
fn records_variants_options_and_results_refuse_a_number_out_of_range_inside_them() {
    let cases = [
        ("point", json!({ "x": 2147483648i64, "y": 0 }), "x", "from -2147483648 to 2147483647"),
        ("points", json!([null, { "x": 0, "y": -2147483649i64 }]), "v[1].y", "from -2147483648 to 2147483647"),
        ("shape", json!({ "at": { "x": 1.5, "y": 0 } }), "v.at.x", "from -2147483648 to 2147483647"),
        ("maybe", serde_json::from_str("18446744073709551616").unwrap(), "v", "from 0 to 18446744073709551615"),
        ("outcome", json!({ "ok": -1 }), "v.ok", "from 0 to 4294967295"),
        ("list", serde_json::from_str("[1, -9223372036854775809]").unwrap(), "v[1]", "from -9223372036854775808"),
        ("pair", json!([256, "a"]), "v[0]", "from 0 to 255"),
    ];
    for (ty, v, at, bound) in cases {
        let refused = agreed(ty, &v).unwrap_err();
        assert!(refused.contains(at) && refused.contains(bound), "echo-{ty}({v}): {refused}");
    }
}

/// A valid value of each composite type, generated from its WIT shape.
fn point() -> impl Strategy<Value = Value> {
    (any::<i32>(), any::<i32>(), prop::option::of(".{0,6}")).prop_map(|(x, y, label)| match label {
        Some(l) => json!({ "x": x, "y": y, "label": l }),
        None => json!({ "x": x, "y": y }),
    })
}

#[test]
fn values_of_every_composite_type_come_back_unchanged() {
    let flags = prop::sample::subsequence(vec!["read", "write", "exec"], 0..=3);
    let cases: Vec<(&str, BoxedStrategy<Value>)> = vec![
        ("bool", any::<bool>().prop_map(Value::from).boxed()),
        ("char", any::<char>().prop_map(|c| json!(c.to_string())).boxed()),
        ("string", any::<String>().prop_map(Value::from).boxed()),
        ("list", prop::collection::vec(any::<i64>(), 0..8).prop_map(|v| json!(v)).boxed()),
        ("pair", (any::<u8>(), ".{0,4}").prop_map(|(n, s)| json!([n, s])).boxed()),
        ("maybe", prop::option::of(any::<u64>()).prop_map(|v| json!(v)).boxed()),
        (
            "outcome",
            prop_oneof![any::<u32>().prop_map(|n| json!({ "ok": n })), ".{0,6}".prop_map(|s| json!({ "err": s }))]
                .boxed(),
        ),
        ("point", point().boxed()),
        (
            "shape",
            prop_oneof![
                Just(json!("nothing")),
                proptest::num::f64::NORMAL.prop_map(|f| json!({ "circle": f })),
                ".{0,6}".prop_map(|s| json!({ "named": s })),
                point().prop_map(|p| json!({ "at": p })),
            ]
            .boxed(),
        ),
        ("color", prop::sample::select(vec!["red", "green", "blue"]).prop_map(Value::from).boxed()),
        ("perms", flags.prop_map(|f| json!(f)).boxed()),
        ("points", prop::collection::vec(prop::option::of(point()), 0..4).prop_map(|v| json!(v)).boxed()),
    ];
    for (ty, values) in cases {
        runner()
            .run(&values, |v| {
                let back = agreed(ty, &v);
                prop_assert!(back.as_ref().is_ok_and(|b| same(&v, b)), "echo-{}({}) gave {:?}", ty, v, back);
                Ok(())
            })
            .unwrap();
    }
}
