//! Switchboard as an OAuth 2.1 resource server: a local issuer (key pairs made here, a JWKS
//! served on 127.0.0.1) signs access tokens, and the real binary checks them.

use crate::common::{Fixture, obj};
use crate::http::{TOKEN, client_transport, start_with_token};
use axum::routing::get;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair as _};
use rmcp::ServiceExt as _;
use rmcp::model::CallToolRequestParams;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const RESOURCE: &str = "https://mcp.test/mcp";

/// An authorization server's signing side: its keys, and its JWKS on a loopback port.
struct Issuer {
    base: String,
    published: Arc<Mutex<Vec<Value>>>,
    fetches: Arc<AtomicUsize>,
    keys: HashMap<String, EncodingKey>,
}

impl Issuer {
    async fn start() -> Self {
        let published = Arc::new(Mutex::new(Vec::new()));
        let fetches = Arc::new(AtomicUsize::new(0));
        let (jwks, count) = (published.clone(), fetches.clone());
        let app = axum::Router::new().route(
            "/jwks",
            get(move || {
                count.fetch_add(1, Ordering::SeqCst);
                let keys = jwks.lock().unwrap().clone();
                async move { ([("content-type", "application/json")], json!({ "keys": keys }).to_string()) }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { base, published, fetches, keys: HashMap::new() }
    }

    /// Makes a P-256 key pair; `publish` puts its public half in the JWKS.
    fn make_key(&mut self, kid: &str, publish: bool) {
        let rng = ring::rand::SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
        let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng).unwrap();
        let point = pair.public_key().as_ref(); // 0x04 | x | y
        if publish {
            self.published.lock().unwrap().push(json!({
                "kty": "EC", "crv": "P-256", "use": "sig", "alg": "ES256", "kid": kid,
                "x": B64.encode(&point[1..33]), "y": B64.encode(&point[33..65]),
            }));
        }
        self.keys.insert(kid.to_owned(), EncodingKey::from_ec_der(pkcs8.as_ref()));
    }

    /// A token signed by `signer`, naming `kid` in its header.
    fn token(&self, signer: &str, kid: &str, claims: Value) -> String {
        let mut header = Header::new(Algorithm::ES256);
        header.kid = Some(kid.to_owned());
        jsonwebtoken::encode(&header, &claims, &self.keys[signer]).unwrap()
    }

    fn claims(&self, scope: &str) -> Value {
        json!({ "iss": self.base, "aud": RESOURCE, "sub": "agent-7", "exp": now() + 600, "scope": scope })
    }
}

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs()
}

async fn initialize(base: &str, token: Option<&str>) -> reqwest::Response {
    let init = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "raw", "version": "1"}}});
    let mut request = switchboard_fakes::client()
        .post(format!("{base}/mcp"))
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .body(init.to_string());
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.unwrap()
}

fn challenge(response: &reqwest::Response) -> String {
    response.headers().get("www-authenticate").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default()
}

async fn tool_names(base: &str, token: &str) -> Vec<String> {
    let client = ().serve(client_transport(base, Some(token))).await.expect("MCP over HTTP with the token");
    let names = client.list_all_tools().await.unwrap().into_iter().map(|t| t.name.to_string()).collect();
    client.cancel().await.unwrap();
    names
}

#[tokio::test]
async fn access_tokens_from_the_issuer_are_checked_and_their_scopes_choose_the_tools() {
    let mut issuer = Issuer::start().await;
    issuer.make_key("k1", true);
    issuer.make_key("stranger", false);
    let fx = Fixture::new();
    fx.append_config(&format!(
        "\n[http.oauth]\nresource = \"{RESOURCE}\"\nissuer = \"{0}\"\njwks_url = \"{0}/jwks\"\n\
         scopes = {{ \"*\" = \"tools\", \"probe_sleep\" = \"slow\" }}\n",
        issuer.base
    ));
    let (_server, base) = start_with_token(&fx, Some(TOKEN)).await;

    // Protected Resource Metadata, at both RFC 9728 locations and without a token.
    for path in ["/.well-known/oauth-protected-resource/mcp", "/.well-known/oauth-protected-resource"] {
        let metadata: Value = switchboard_fakes::get(format!("{base}{path}")).await.unwrap().json().await.unwrap();
        assert_eq!(metadata["resource"], RESOURCE, "{path}");
        assert_eq!(metadata["authorization_servers"], json!([issuer.base]));
        assert_eq!(metadata["scopes_supported"], json!(["slow", "tools"]));
    }
    let pointer = r#"Bearer resource_metadata="https://mcp.test/.well-known/oauth-protected-resource/mcp""#;
    let response = initialize(&base, None).await;
    assert_eq!((response.status().as_u16(), challenge(&response)), (401, pointer.to_owned()));

    // A good token sees and calls the tools its scopes cover, and no other.
    let tools_only = issuer.token("k1", "k1", issuer.claims("tools"));
    let names = tool_names(&base, &tools_only).await;
    assert!(names.contains(&"probe_echo".to_owned()) && !names.contains(&"probe_sleep".to_owned()), "{names:?}");
    let client = ().serve(client_transport(&base, Some(&tools_only))).await.unwrap();
    let echoed = client
        .call_tool(CallToolRequestParams::new("probe_echo").with_arguments(obj(json!({"text": "scoped"}))))
        .await
        .unwrap();
    assert_eq!(echoed.structured_content, Some(json!({"value": "scoped"})));
    let sleep = CallToolRequestParams::new("probe_sleep").with_arguments(obj(json!({"ms": 1})));
    assert!(client.call_tool(sleep.clone()).await.is_err(), "a tool outside the scopes is not callable");
    client.cancel().await.unwrap();
    let call = json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call",
        "params": {"name": "probe_sleep", "arguments": {"ms": 1}}, });
    let response = switchboard_fakes::client()
        .post(format!("{base}/mcp"))
        .bearer_auth(&tools_only)
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .header("mcp-protocol-version", "2026-07-28")
        .body(call.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    let step_up = challenge(&response);
    assert!(
        step_up.starts_with(pointer) && step_up.contains(r#"error="insufficient_scope", scope="slow""#),
        "{step_up}"
    );
    let both = issuer.token("k1", "k1", issuer.claims("tools slow"));
    assert!(tool_names(&base, &both).await.contains(&"probe_sleep".to_owned()));
    // The operator's static token still sees everything.
    assert!(tool_names(&base, TOKEN).await.contains(&"probe_sleep".to_owned()));

    // Bad tokens: 401, saying why.
    let mut expired = issuer.claims("tools");
    expired["exp"] = json!(now() - 3600);
    let mut elsewhere = issuer.claims("tools");
    elsewhere["aud"] = json!("https://other.test/mcp");
    let mut foreign = issuer.claims("tools");
    foreign["iss"] = json!("https://impostor.test");
    for (token, why) in [
        (issuer.token("k1", "k1", expired), "the token has expired"),
        (issuer.token("k1", "k1", elsewhere), "the token is not for this resource (aud)"),
        (issuer.token("k1", "k1", foreign), "the token is from another issuer (iss)"),
        (issuer.token("stranger", "k1", issuer.claims("tools")), "the token's signature does not verify"),
        (issuer.token("stranger", "k9", issuer.claims("tools")), "signed with a key the issuer does not publish"),
        ("not.a.jwt".to_owned(), "the token is not a JWT"),
    ] {
        let response = initialize(&base, Some(&token)).await;
        let header = challenge(&response);
        assert_eq!(response.status(), 401, "{why}");
        assert!(header.starts_with(pointer) && header.contains(r#"error="invalid_token""#), "{header}");
        assert!(header.contains(why), "{why}: {header}");
    }

    // The issuer rotates in a new key: a token signed with it fetches the set again.
    let fetched = issuer.fetches.load(Ordering::SeqCst);
    issuer.make_key("k2", true);
    tokio::time::sleep(Duration::from_millis(1100)).await; // unknown kids refetch at most once a second
    let rotated = issuer.token("k2", "k2", issuer.claims("tools"));
    assert_eq!(initialize(&base, Some(&rotated)).await.status(), 200);
    assert_eq!(issuer.fetches.load(Ordering::SeqCst), fetched + 1, "one fetch for the new key");
    // And the old key still verifies from the set now held, with no fetch.
    assert_eq!(initialize(&base, Some(&tools_only)).await.status(), 200);
    assert_eq!(issuer.fetches.load(Ordering::SeqCst), fetched + 1);
}

#[tokio::test]
async fn a_bad_oauth_table_stops_the_server_with_the_reason() {
    let fx = Fixture::new();
    fx.append_config(
        "\n[http.oauth]\nresource = \"https://mcp.test/mcp\"\nissuer = \"https://auth.test\"\n\
         jwks_url = \"https://auth.test/jwks\"\nalgorithms = [\"HS256\"]\n",
    );
    let (code, _, stderr) = fx.run(&["serve", "--http", "127.0.0.1:0"]).await;
    assert_ne!(code, 0);
    assert!(stderr.contains("shared-secret algorithm"), "{stderr}");
}
