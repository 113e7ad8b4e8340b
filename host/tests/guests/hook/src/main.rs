//! Answers webhooks: echoes the method, the path and the body it received, so the host's
//! webhook route can be checked end to end. `/fail` answers 500.

use wstd::http::body::Body;
use wstd::http::{Error, Request, Response, StatusCode};

#[wstd::http_server]
async fn main(mut request: Request<Body>) -> Result<Response<Body>, Error> {
    let method = request.method().to_string();
    let path = request.uri().path_and_query().map(|p| p.to_string()).unwrap_or_default();
    let body = request.body_mut().str_contents().await?.to_owned();
    let status = if path.ends_with("/fail") { StatusCode::INTERNAL_SERVER_ERROR } else { StatusCode::OK };
    let text = format!("{method} {path} {body}");
    Ok(Response::builder().status(status).header("content-type", "text/plain").body(text.into())?)
}
