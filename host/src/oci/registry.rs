//! Pulling a component from its registry (oci-client): the manifest, checked against its
//! digest and the Wasm artifact layout; the one layer, checked against its digest and for
//! being a component; its signature, when keys are trusted; then stored and pinned.

use super::cosign::{self, TrustedKey};
use super::{OciError, Pin, Source, Store, sha256};
use crate::config::OciSettings;
use futures::future::BoxFuture;
use oci_client::client::{Client, ClientConfig, ClientProtocol};
use oci_client::manifest::{OCI_IMAGE_MEDIA_TYPE, OciImageManifest};
use oci_client::secrets::RegistryAuth;

/// The config media type of a Wasm artifact (CNCF TAG Runtime's Wasm OCI artifact layout).
pub const WASM_CONFIG: &str = "application/vnd.wasm.config.v0+json";
/// The media type of its one layer: the component's bytes.
pub const WASM_LAYER: &str = "application/wasm";
/// The most a component may weigh.
const MAX_COMPONENT: i64 = 256 << 20;

/// What a pull did.
#[derive(Debug)]
pub struct Pulled {
    pub source: Source,
    pub pin: Pin,
    /// The pin it replaced, if any (a moved tag shows here).
    pub previous: Option<Pin>,
}

impl Pulled {
    /// Whether the reference now names other bytes than before.
    pub fn moved(&self) -> bool {
        self.previous.as_ref().is_some_and(|p| p.manifest != self.pin.manifest)
    }
}

/// A registry client: TLS, except to the registries `[oci] insecure` lists.
pub fn client(settings: &OciSettings) -> Client {
    crate::tls::install_provider();
    let protocol = match settings.insecure.is_empty() {
        true => ClientProtocol::Https,
        false => ClientProtocol::HttpsExcept(settings.insecure.clone()),
    };
    Client::new(ClientConfig { protocol, ..Default::default() })
}

/// The operator's credentials for `registry` from the docker config (`DOCKER_CONFIG`, else
/// `~/.docker/config.json`, credential helpers included); anonymous without any.
pub fn auth(registry: &str) -> RegistryAuth {
    match docker_credential::get_credential(registry) {
        Ok(docker_credential::DockerCredential::UsernamePassword(user, password)) => {
            RegistryAuth::Basic(user, password)
        }
        Ok(docker_credential::DockerCredential::IdentityToken(_)) => {
            tracing::warn!(
                registry,
                "the docker config holds an identity token for this registry, which is not used: pulling anonymously"
            );
            RegistryAuth::Anonymous
        }
        Err(_) => RegistryAuth::Anonymous,
    }
}

/// A component fetched and checked, not stored.
pub struct Fetched {
    pub manifest: String,
    pub layer: String,
    pub bytes: Vec<u8>,
    pub signed_by: Option<String>,
}

/// Pulls `source` (resolving a tag now), checks it and, when it passes, stores and pins it.
/// Boxed, so that its state machine is compiled once, here, and not again in each binary
/// that awaits it (the command line, the tests).
pub fn pull<'a>(settings: &'a OciSettings, source: &'a Source) -> BoxFuture<'a, Result<Pulled, OciError>> {
    Box::pin(async move {
        let store = Store::new(settings);
        let fetched = fetch(settings, source).await?;
        let name = source.key();
        let previous = store.pin(source)?;
        store.put_blob(&fetched.layer, &fetched.bytes)?;
        let pulled_at =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64);
        let size = fetched.bytes.len() as u64;
        let pin =
            Pin { manifest: fetched.manifest, layer: fetched.layer, size, pulled_at, signed_by: fetched.signed_by };
        store.record(source, pin.clone())?;
        let pulled = Pulled { source: source.clone(), pin, previous };
        match &pulled.previous {
            Some(old) if pulled.moved() => {
                tracing::warn!(reference = %name, old = %old.manifest, new = %pulled.pin.manifest, "the reference moved: pinned the new digest")
            }
            _ => tracing::info!(reference = %name, digest = %pulled.pin.manifest, "pulled and pinned"),
        }
        Ok(pulled)
    })
}

/// Fetches `source` from its registry (resolving a tag now) and checks it: digests, the
/// artifact layout, a component inside, and the signature when keys are trusted. Boxed, as
/// [`pull`] is.
pub fn fetch<'a>(settings: &'a OciSettings, source: &'a Source) -> BoxFuture<'a, Result<Fetched, OciError>> {
    Box::pin(async move {
        let keys = TrustedKey::read_all(&settings.trusted_keys)?;
        let reference = &source.reference;
        let name = source.key();
        let client = client(settings);
        let auth = auth(reference.resolve_registry());
        let registry = |e: oci_client::errors::OciDistributionError| OciError::Registry {
            reference: name.clone(),
            message: if cosign::is_not_found(&e) { "no such repository or tag".to_owned() } else { e.to_string() },
        };
        let not_component = |why: String| OciError::NotAComponent { reference: name.clone(), why };

        let (raw, digest) =
            client.pull_manifest_raw(reference, &auth, &[OCI_IMAGE_MEDIA_TYPE]).await.map_err(registry)?;
        let got = sha256(&raw);
        let expected = reference.digest().unwrap_or(&digest);
        if got != expected || got != digest {
            let expected = expected.to_owned();
            return Err(OciError::DigestMismatch { reference: name, what: "the manifest", expected, got });
        }
        let manifest: OciImageManifest =
            serde_json::from_slice(&raw).map_err(|e| not_component(format!("its manifest does not parse: {e}")))?;
        if manifest.config.media_type != WASM_CONFIG {
            return Err(not_component(format!(
                "its config is `{}`, not `{WASM_CONFIG}` (publish it with `wkg oci push`)",
                manifest.config.media_type
            )));
        }
        let layer = match manifest.layers.as_slice() {
            [layer] if layer.media_type == WASM_LAYER => layer,
            [layer] => return Err(not_component(format!("its layer is `{}`, not `{WASM_LAYER}`", layer.media_type))),
            layers => {
                return Err(not_component(format!("it has {} layers; a component artifact has one", layers.len())));
            }
        };
        if !(0..=MAX_COMPONENT).contains(&layer.size) {
            return Err(not_component(format!(
                "its layer says it weighs {} bytes; at most {MAX_COMPONENT}",
                layer.size
            )));
        }
        let mut bytes = Vec::with_capacity(layer.size as usize);
        client.pull_blob(reference, layer, &mut bytes).await.map_err(|e| match e {
            oci_client::errors::OciDistributionError::DigestError(_) => OciError::DigestMismatch {
                reference: name.clone(),
                what: "the component layer",
                expected: layer.digest.clone(),
                got: "another".to_owned(),
            },
            e => registry(e),
        })?;
        let got = sha256(&bytes);
        if got != layer.digest {
            let expected = layer.digest.clone();
            return Err(OciError::DigestMismatch { reference: name, what: "the component layer", expected, got });
        }
        match bytes.get(..8) {
            Some(b"\0asm\x0d\0\x01\0") => {}
            Some([0, b'a', b's', b'm', 1, 0, 0, 0]) => {
                return Err(not_component("it is a core Wasm module; the host runs components (WASI 0.2)".into()));
            }
            _ => return Err(not_component("its layer is not WebAssembly".into())),
        }

        let signed_by = if keys.is_empty() {
            None
        } else {
            match cosign::verify(&client, &auth, reference, &digest, &keys).await {
                Ok(fingerprint) => Some(fingerprint),
                Err(e) if settings.require_signatures => return Err(e),
                Err(e) => {
                    tracing::warn!(reference = %name, error = %e, "not signed by a trusted key (signatures are not required)");
                    None
                }
            }
        };

        Ok(Fetched { manifest: digest, layer: layer.digest.clone(), bytes, signed_by })
    })
}

/// Pulls each `oci://` component of the config that has no pin yet (its first resolution); a
/// pinned one is left as it is, so a start needs no registry once everything was pulled.
/// Boxed, as [`pull`] is.
pub fn pull_unpinned(config: &crate::config::Config) -> BoxFuture<'_, ()> {
    Box::pin(async move {
        let pinned = match Store::new(&config.oci).pins() {
            Ok(pins) => pins,
            Err(e) => return tracing::error!(error = %e, "the OCI store"),
        };
        for (name, spec) in &config.components {
            let Some(text) = &spec.source else { continue };
            let source = match Source::parse(text) {
                Ok(source) => source,
                Err(e) => {
                    tracing::error!(component = %name, error = %e, "component source");
                    continue;
                }
            };
            if pinned.contains_key(&source.key()) {
                continue;
            }
            if let Err(e) = pull(&config.oci, &source).await {
                tracing::error!(component = %name, error = %e, "could not pull the component");
            }
        }
    })
}
