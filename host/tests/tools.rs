//! Tools derived from WIT, served over stdio: the tool list, a call per type shape, and
//! argument validation.

use crate::common::{Fixture, obj};
use serde_json::{Value, json};

const GOLDEN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/hello_tool.tools.json");

#[tokio::test]
async fn tools_list_matches_the_golden_file() {
    let fx = Fixture::new();
    let session = fx.serve().await;
    let tools = session.client.list_all_tools().await.unwrap();
    let hello: Vec<Value> =
        tools.iter().filter(|t| t.name.starts_with("hello_tool_")).map(|t| serde_json::to_value(t).unwrap()).collect();
    let actual = serde_json::to_string_pretty(&hello).unwrap() + "\n";
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(GOLDEN, &actual).unwrap();
    }
    let expected = std::fs::read_to_string(GOLDEN).expect("golden file (run with UPDATE_GOLDEN=1 to create it)");
    assert_eq!(actual, expected, "tools/list changed; if on purpose, rerun with UPDATE_GOLDEN=1");

    // The probe's tools are there too, named <component>_<function>.
    for name in ["probe_echo", "probe_spin", "probe_trap", "probe_config_get"] {
        assert!(tools.iter().any(|t| t.name == name), "missing {name}");
    }
    // Every name fits MCP's rule.
    for t in &tools {
        assert!(t.name.len() <= 64 && t.name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'));
    }
    // The host's own tools say what they do, as clients see it on the wire.
    let hints = |name: &str| {
        let tool = tools.iter().find(|t| t.name == name).unwrap_or_else(|| panic!("no {name}"));
        serde_json::to_value(tool).unwrap()["annotations"].clone()
    };
    assert_eq!(hints("check_tcpa_compliance")["readOnlyHint"], true);
    assert_eq!(hints("end_call")["destructiveHint"], true);
    assert_eq!(hints("speak")["openWorldHint"], true);
    assert_eq!(hints("initiate_call_with_compliance")["title"], "Place a call, if compliant");
    // A component's tools carry what their WIT doc tags say, and nothing they do not.
    let echo = hints("probe_echo");
    assert_eq!(echo["title"], "Echo text");
    assert_eq!(
        (&echo["readOnlyHint"], &echo["idempotentHint"], &echo["openWorldHint"]),
        (&json!(true), &json!(true), &json!(false))
    );
    assert_eq!(echo.get("destructiveHint"), None);
    let echo = tools.iter().find(|t| t.name == "probe_echo").unwrap();
    assert_eq!(echo.title.as_deref(), Some("Echo text"));
    assert!(!echo.description.as_deref().unwrap().contains('@'), "the tags leave the description");
    assert_eq!(hints("probe_noop"), Value::Null, "no tags, no annotations");
    session.close().await;
}

#[tokio::test]
async fn descriptions_and_schemas_come_from_the_wit() {
    let fx = Fixture::new();
    let session = fx.serve().await;
    let tools = session.client.list_all_tools().await.unwrap();
    let area = tools.iter().find(|t| t.name == "hello_tool_area").unwrap();
    assert!(area.description.as_deref().unwrap().contains("area of `shape`"));
    let shape = &area.input_schema["properties"]["shape"];
    assert!(shape["description"].as_str().unwrap().contains("flat shape"), "{shape}");
    assert_eq!(shape["oneOf"].as_array().unwrap().len(), 4);
    let clamp = tools.iter().find(|t| t.name == "hello_tool_clamp_byte").unwrap();
    let value = &clamp.input_schema["properties"]["value"];
    assert_eq!(value["minimum"], json!(i64::MIN));
    assert_eq!(value["maximum"], json!(i64::MAX));
    let out = clamp.output_schema.as_ref().unwrap();
    assert_eq!(out["properties"]["value"]["maximum"], json!(255));
    session.close().await;
}

#[tokio::test]
async fn every_type_shape_round_trips() {
    let fx = Fixture::new();
    let s = fx.serve().await;

    // string, option<bool> omitted and given
    assert_eq!(s.ok("hello_tool_greet", json!({"name": "Ada"})).await, json!({"value": "Hello, Ada!"}));
    assert_eq!(s.ok("hello_tool_greet", json!({"name": "Ada", "shout": true})).await, json!({"value": "HELLO, ADA!"}));
    // variant: payload f64, tuple payload, list<record> payload, no payload
    let area = |v: Value| v["value"].as_f64().unwrap();
    assert!(
        (area(s.ok("hello_tool_area", json!({"shape": {"circle": 1.0}})).await) - std::f64::consts::PI).abs() < 1e-9
    );
    assert_eq!(area(s.ok("hello_tool_area", json!({"shape": {"rectangle": [2.0, 3.5]}})).await), 7.0);
    let square = json!([{"x": 0, "y": 0}, {"x": 2, "y": 0}, {"x": 2, "y": 2}, {"x": 0, "y": 2}]);
    assert_eq!(area(s.ok("hello_tool_area", json!({"shape": {"polygon": square}})).await), 4.0);
    assert_eq!(area(s.ok("hello_tool_area", json!({"shape": "nothing"})).await), 0.0);
    // enum in and out, s32
    assert_eq!(
        s.ok("hello_tool_turn", json!({"facing": "north", "quarter_turns": -1})).await,
        json!({"value": "west"})
    );
    // list<s64> -> result<s64, string>: ok, and err with its message
    assert_eq!(s.ok("hello_tool_sum", json!({"values": [1, -2, 40]})).await, json!({"value": 39}));
    let overflow = s.fails("hello_tool_sum", json!({"values": [i64::MAX, 1]})).await;
    assert!(overflow.contains("returned an error"), "{overflow}");
    // result<u32, enum>
    assert_eq!(s.ok("hello_tool_divide", json!({"dividend": 7, "divisor": 2})).await, json!({"value": 3}));
    let by_zero = s.fails("hello_tool_divide", json!({"dividend": 7, "divisor": 0})).await;
    assert!(by_zero.contains("by-zero"), "{by_zero}");
    // option<record>: some and none
    let pts = json!([{"x": 3, "y": 4}, {"x": -1, "y": 1}]);
    assert_eq!(s.ok("hello_tool_nearest", json!({"points": pts})).await, json!({"value": {"x": -1.0, "y": 1.0}}));
    assert_eq!(s.ok("hello_tool_nearest", json!({"points": []})).await, json!({"value": null}));
    // flags
    let decorated = s.ok("hello_tool_decorate", json!({"text": "hi", "style": ["bold", "italic"]})).await;
    assert!(decorated["value"].as_str().unwrap().contains("**"), "{decorated}");
    // record result with u64, u32, option<char>, string, f32
    let stats = s.ok("hello_tool_stats", json!({"text": "a quick fox"})).await;
    assert_eq!(stats, json!({"chars": 11, "words": 3, "first": "a", "longest_word": "quick", "mean_word_length": 3.0}));
    // u8 result from s64
    assert_eq!(s.ok("hello_tool_clamp_byte", json!({"value": -5})).await, json!({"value": 0}));
    assert_eq!(s.ok("hello_tool_clamp_byte", json!({"value": 300})).await, json!({"value": 255}));
    // result<_, variant>: ok without value, err with payloads
    let r = s.call("hello_tool_check_handle", json!({"handle": "ada_99"})).await;
    assert_ne!(r.is_error, Some(true));
    let too_long = s.fails("hello_tool_check_handle", json!({"handle": "a-handle-that-is-too-long"})).await;
    assert!(too_long.contains("too-long"), "{too_long}");
    // char and strings round trip through the probe
    assert_eq!(s.ok("probe_echo", json!({"text": "héllo ☎"})).await, json!({"value": "héllo ☎"}));
    s.close().await;
}

#[tokio::test]
async fn bad_arguments_are_rejected_with_the_field_and_the_reason() {
    let fx = Fixture::new();
    let s = fx.serve().await;
    let cases = [
        ("hello_tool_greet", json!({}), "missing required argument `name`"),
        ("hello_tool_greet", json!({"name": 5}), "`name`: expected a string, got number 5"),
        ("hello_tool_greet", json!({"name": "a", "loud": true}), "unknown argument `loud`"),
        (
            "hello_tool_divide",
            json!({"dividend": -1, "divisor": 1}),
            "`dividend`: expected an integer from 0 to 4294967295",
        ),
        ("hello_tool_turn", json!({"facing": "up", "quarter_turns": 1}), "`facing`: expected one of \"north\""),
        (
            "hello_tool_area",
            json!({"shape": {"polygon": [{"x": 1, "y": "2"}]}}),
            "`shape.polygon[0].y`: expected a number",
        ),
        (
            "hello_tool_area",
            json!({"shape": {"circle": 1, "nothing": null}}),
            "`shape`: expected an object with exactly one key",
        ),
        ("hello_tool_area", json!({"shape": "circle"}), "case `circle` carries a number"),
        (
            "hello_tool_area",
            json!({"shape": {"rectangle": [1]}}),
            "`shape.rectangle`: expected an array of 2 items, got 1",
        ),
        ("hello_tool_decorate", json!({"text": "x", "style": ["blink"]}), "`style[0]`: expected one of \"bold\""),
        ("hello_tool_nearest", json!({"points": [{"x": 1}]}), "`points[0].y`: missing required field"),
        ("hello_tool_nearest", json!({"points": [{"x": 1, "y": 2, "z": 3}]}), "unknown field `z`"),
    ];
    for (tool, args, expected) in cases {
        let message = s.fails(tool, args.clone()).await;
        assert!(message.contains("invalid arguments"), "{tool}({args}): {message}");
        assert!(message.contains(expected), "{tool}({args}):\n  got      {message}\n  expected {expected}");
    }
    // The host still serves.
    assert_eq!(s.ok("hello_tool_greet", json!({"name": "Bo"})).await, json!({"value": "Hello, Bo!"}));
    s.close().await;
}

#[tokio::test]
async fn an_unknown_tool_is_a_protocol_error() {
    let fx = Fixture::new();
    let s = fx.serve().await;
    let params = rmcp::model::CallToolRequestParams::new("no_such_tool").with_arguments(obj(json!({})));
    let err = s.client.call_tool(params).await.unwrap_err();
    assert!(err.to_string().contains("unknown tool `no_such_tool`"), "{err}");
    s.close().await;
}
