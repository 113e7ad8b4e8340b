//! The parts of an outgoing `wasi:http` request every component handles the same way.

use wstd::http::Body;
use wstd::http::body::util::BodyExt as _;
use wstd::http::error::ErrorCode;

/// Reads a body up to `limit` bytes; the flag says whether there was more.
pub async fn read_body(body: Body, limit: usize) -> Result<(Vec<u8>, bool), wstd::http::Error> {
    let mut body = body.into_boxed_body();
    let mut bytes = Vec::new();
    while let Some(frame) = body.frame().await {
        let Ok(data) = frame?.into_data() else { continue };
        let room = limit.saturating_sub(bytes.len());
        if data.len() > room {
            bytes.extend_from_slice(data.get(..room).unwrap_or_default());
            return Ok((bytes, true));
        }
        bytes.extend_from_slice(&data);
    }
    Ok((bytes, false))
}

/// Why a request to `service` at `base` got no answer, as a sentence an operator can act on:
/// a host the policy does not allow names the fix.
pub fn unreachable(service: &str, base: &str, error: &wstd::http::Error) -> String {
    let why = match error.downcast_ref::<ErrorCode>() {
        Some(ErrorCode::HttpRequestDenied) => {
            return format!(
                "the host's policy does not let this component reach {base}: add its host to allowed_hosts"
            );
        }
        Some(ErrorCode::DnsTimeout | ErrorCode::DnsError(_)) => "its name does not resolve".to_string(),
        Some(ErrorCode::ConnectionRefused) => "the connection was refused".to_string(),
        Some(ErrorCode::ConnectionTimeout) => "connecting timed out".to_string(),
        Some(ErrorCode::ConnectionReadTimeout | ErrorCode::HttpResponseTimeout) => "no answer came in time".to_string(),
        Some(ErrorCode::TlsProtocolError | ErrorCode::TlsCertificateError | ErrorCode::TlsAlertReceived(_)) => {
            "the TLS handshake failed".to_string()
        }
        Some(code) => format!("{code:?}"),
        None => format!("{error}"),
    };
    format!("cannot reach {service} at {base}: {why}")
}
