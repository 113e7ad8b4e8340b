//! JSON Schema (2020-12) of a tool's input and output, derived from its WIT types.
//! It describes exactly the JSON mapping of `runtime::values`.

use crate::runtime::values::{F32_LIMIT, json_key};
use crate::runtime::{ExportedFunc, WitType};
use serde_json::{Map, Value, json};

/// Whether the schema describes arguments (what the host accepts) or results (what it emits).
#[derive(Clone, Copy, PartialEq)]
enum Dir {
    Input,
    Output,
}

/// The input schema: an object with one property per parameter.
pub fn input(func: &ExportedFunc) -> Map<String, Value> {
    let mut properties = Map::new();
    let mut required = Vec::new();
    for p in &func.params {
        let key = json_key(&p.name);
        if !matches!(p.ty, WitType::Option(_)) {
            required.push(json!(key));
        }
        properties.insert(key, schema(&p.ty, Dir::Input));
    }
    let mut obj = Map::new();
    obj.insert("type".into(), json!("object"));
    obj.insert("properties".into(), Value::Object(properties));
    if !required.is_empty() {
        obj.insert("required".into(), Value::Array(required));
    }
    obj.insert("additionalProperties".into(), json!(false));
    obj
}

/// The type whose value becomes `structuredContent`: the `ok` side of a `result`, or the
/// result itself. `None` when the function returns nothing on success.
pub fn success_type(func: &ExportedFunc) -> Option<&WitType> {
    match func.result.as_ref()? {
        WitType::Result { ok, .. } => ok.as_deref(),
        other => Some(other),
    }
}

/// Whether a success value is sent as the structured content itself (a record) or wrapped
/// as `{"value": ...}` (MCP wants an object there).
pub fn wraps(ty: &WitType) -> bool {
    !matches!(ty, WitType::Record(..))
}

/// The output schema, when the function returns a value on success.
pub fn output(func: &ExportedFunc) -> Option<Map<String, Value>> {
    let ty = success_type(func)?;
    let schema = schema(ty, Dir::Output);
    if wraps(ty) {
        let Value::Object(obj) = json!({
            "type": "object",
            "properties": { "value": schema },
            "required": ["value"],
            "additionalProperties": false,
        }) else {
            unreachable!()
        };
        Some(obj)
    } else {
        schema.as_object().cloned()
    }
}

fn with_docs(mut schema: Value, docs: Option<&String>) -> Value {
    if let (Some(d), Value::Object(obj)) = (docs, &mut schema) {
        obj.insert("description".into(), json!(d));
    }
    schema
}

fn case_list(names: impl Iterator<Item = (String, Option<String>)>) -> Option<String> {
    let lines: Vec<String> = names
        .filter_map(|(n, d)| d.map(|d| format!("`{n}`: {}", d.replace('\n', " ").trim_end_matches('.'))))
        .collect();
    (!lines.is_empty()).then(|| lines.join("; "))
}

fn schema(ty: &WitType, dir: Dir) -> Value {
    match ty {
        WitType::Bool => json!({ "type": "boolean" }),
        WitType::Int(int) => {
            let (lo, hi) = int.bounds();
            json!({ "type": "integer", "minimum": lo as i64, "maximum": u64::try_from(hi).unwrap_or(u64::MAX) })
        }
        // NaN and the infinities have no JSON number; they are written as strings, both ways.
        WitType::F32 => json!({ "anyOf": [
            { "type": "number", "exclusiveMinimum": -F32_LIMIT, "exclusiveMaximum": F32_LIMIT },
            { "type": "string", "enum": ["NaN", "Infinity", "-Infinity"] }
        ] }),
        WitType::F64 => json!({ "anyOf": [
            { "type": "number" },
            { "type": "string", "enum": ["NaN", "Infinity", "-Infinity"] }
        ] }),
        WitType::Char => json!({ "type": "string", "minLength": 1, "maxLength": 1 }),
        WitType::String => json!({ "type": "string" }),
        WitType::List(t) => json!({ "type": "array", "items": schema(t, dir) }),
        WitType::FixedList(t, n) => json!({ "type": "array", "items": schema(t, dir), "minItems": n, "maxItems": n }),
        WitType::Tuple(types) => {
            let items: Vec<Value> = types.iter().map(|t| schema(t, dir)).collect();
            json!({ "type": "array", "prefixItems": items, "items": false, "minItems": types.len(), "maxItems": types.len() })
        }
        WitType::Map(k, v) if **k == WitType::String => {
            json!({ "type": "object", "additionalProperties": schema(v, dir) })
        }
        WitType::Map(k, v) => json!({
            "type": "array",
            "items": { "type": "array", "prefixItems": [schema(k, dir), schema(v, dir)], "items": false, "minItems": 2, "maxItems": 2 }
        }),
        WitType::Option(t) => json!({ "anyOf": [schema(t, dir), { "type": "null" }] }),
        WitType::Result { ok, err } => {
            let side = |tag: &str, t: &Option<Box<WitType>>| {
                let payload = t.as_deref().map_or_else(|| json!({ "type": "null" }), |t| schema(t, dir));
                json!({ "type": "object", "properties": { tag: payload }, "required": [tag], "additionalProperties": false })
            };
            json!({ "oneOf": [side("ok", ok), side("err", err)] })
        }
        WitType::Record(info, fields) => {
            let mut properties = Map::new();
            let mut required = Vec::new();
            for f in fields {
                let key = json_key(&f.name);
                if dir == Dir::Output || !matches!(f.ty, WitType::Option(_)) {
                    required.push(json!(key));
                }
                properties.insert(key, with_docs(schema(&f.ty, dir), f.docs.as_ref()));
            }
            let s = json!({ "type": "object", "properties": properties, "required": required, "additionalProperties": false });
            with_docs(s, info.docs.as_ref())
        }
        WitType::Variant(info, cases) => {
            let options: Vec<Value> = cases
                .iter()
                .map(|c| {
                    let s = match &c.ty {
                        None => json!({ "type": "string", "const": c.name }),
                        Some(t) => json!({
                            "type": "object",
                            "properties": { c.name.clone(): schema(t, dir) },
                            "required": [c.name],
                            "additionalProperties": false
                        }),
                    };
                    with_docs(s, c.docs.as_ref())
                })
                .collect();
            with_docs(json!({ "oneOf": options }), info.docs.as_ref())
        }
        WitType::Enum(info, cases) => {
            let names: Vec<&str> = cases.iter().map(|c| c.name.as_str()).collect();
            let docs = join_docs(info.docs.as_ref(), case_list(cases.iter().map(|c| (c.name.clone(), c.docs.clone()))));
            with_docs(json!({ "type": "string", "enum": names }), docs.as_ref())
        }
        WitType::Flags(info, flags) => {
            let names: Vec<&str> = flags.iter().map(|c| c.name.as_str()).collect();
            let docs = join_docs(info.docs.as_ref(), case_list(flags.iter().map(|c| (c.name.clone(), c.docs.clone()))));
            let s = json!({ "type": "array", "items": { "type": "string", "enum": names }, "uniqueItems": true });
            with_docs(s, docs.as_ref())
        }
    }
}

fn join_docs(type_docs: Option<&String>, cases: Option<String>) -> Option<String> {
    match (type_docs, cases) {
        (Some(t), Some(c)) => Some(format!("{t} ({c})")),
        (Some(t), None) => Some(t.clone()),
        (None, c) => c,
    }
}
