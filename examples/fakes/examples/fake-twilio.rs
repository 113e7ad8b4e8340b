//! Serves the fake Twilio Voice API until interrupted, for the demo.
//!
//! ```sh
//! cargo run -p switchboard-fakes --example fake-twilio                 # a free port
//! cargo run -p switchboard-fakes --example fake-twilio -- --port 8791 --auth-token my-token --talk-ms 5000
//! ```
//!
//! It prints its base URL on the first line of stdout (for scripts to read), then the account
//! it accepts and the environment to give the component on stderr.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;
use switchboard_fakes::twilio::{
    DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN, DEFAULT_STEP_DELAY, DEFAULT_TALK_TIME, FakeTwilio, Outcome,
};

const USAGE: &str =
    "usage: fake-twilio [--port N] [--account-sid AC...] [--auth-token TOKEN] [--step-ms N] [--talk-ms N]";
/// The caller id the demo suggests (Twilio's magic test number for a valid `From`).
const FROM_NUMBER: &str = "+15005550006";

/// What the command line asks for.
struct Options {
    port: u16,
    account_sid: String,
    auth_token: String,
    step: Duration,
    talk: Duration,
}

fn parse(args: impl Iterator<Item = String>) -> Result<Options, String> {
    let mut options = Options {
        port: 0,
        account_sid: DEFAULT_ACCOUNT_SID.to_string(),
        auth_token: DEFAULT_AUTH_TOKEN.to_string(),
        step: DEFAULT_STEP_DELAY,
        talk: DEFAULT_TALK_TIME,
    };
    let mut args = args.peekable();
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{flag} needs a value"));
        let ms = |v: String| v.parse::<u64>().map(Duration::from_millis).map_err(|_| format!("bad milliseconds `{v}`"));
        match flag.as_str() {
            "--port" => options.port = value()?.parse().map_err(|_| "bad port".to_string())?,
            "--account-sid" => options.account_sid = value()?,
            "--auth-token" => options.auth_token = value()?,
            "--step-ms" => options.step = ms(value()?)?,
            "--talk-ms" => options.talk = ms(value()?)?,
            "-h" | "--help" => return Err(USAGE.to_string()),
            other => return Err(format!("unknown argument `{other}`\n{USAGE}")),
        }
    }
    Ok(options)
}

#[tokio::main]
async fn main() -> ExitCode {
    let options = match parse(std::env::args().skip(1)) {
        Ok(o) => o,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let addr = SocketAddr::from(([127, 0, 0, 1], options.port));
    let fake = match FakeTwilio::start_on(addr, options.account_sid, options.auth_token).await {
        Ok(fake) => fake,
        Err(e) => {
            eprintln!("cannot listen on 127.0.0.1:{}: {e}", options.port);
            return ExitCode::FAILURE;
        }
    };
    fake.set_step_delay(options.step);
    fake.set_default_outcome(Outcome::Completed { talk: options.talk });
    println!("{}", fake.base_url());
    eprintln!(
        "fake Twilio listening on {base}, account {sid}. Give the component base_url = \"{base}\" (in place of \
         https://api.twilio.com), allowed_hosts = [\"127.0.0.1\"], and\n  TWILIO_ACCOUNT_SID={sid}\n  \
         TWILIO_AUTH_TOKEN={token}\n  TWILIO_FROM_NUMBER={FROM_NUMBER}\nCalls are answered and complete after \
         {talk} ms; webhooks are signed with the token. Ctrl-C stops it.",
        base = fake.base_url(),
        sid = fake.account_sid(),
        token = fake.auth_token(),
        talk = options.talk.as_millis(),
    );
    if let Err(e) = tokio::signal::ctrl_c().await {
        eprintln!("cannot wait for Ctrl-C: {e}");
    }
    eprintln!("{} requests served, {} calls placed", fake.requests().len(), fake.calls().len());
    fake.shutdown().await;
    ExitCode::SUCCESS
}
