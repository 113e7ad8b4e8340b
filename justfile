# Short names for the common commands. Plain cargo works without `just`.

# Guest workspaces (built for wasm32-wasip2).
guests := "examples/hello-tool host/tests/guests components"

default:
    @just --list

# Run the host over stdio with its built-in components.
run *ARGS:
    cargo run --release -- serve {{ARGS}}

# Run every test (the host's build compiles the guest components first).
test:
    cargo test --release

# Build the guest components (the host build does this too).
build-components:
    for ws in {{guests}}; do if [ -f $ws/Cargo.toml ]; then (cd $ws && cargo build --release --target wasm32-wasip2) || exit 1; fi; done

# Format everything.
fmt:
    cargo fmt --all
    for ws in {{guests}}; do [ ! -f $ws/Cargo.toml ] || (cd $ws && cargo fmt --all); done

# Lint the host and the guests; warnings are errors.
lint:
    cargo fmt --all --check
    cargo clippy --all-targets -- -D warnings
    for ws in {{guests}}; do [ ! -f $ws/Cargo.toml ] || (cd $ws && cargo fmt --all --check && cargo clippy --target wasm32-wasip2 -- -D warnings); done

# Benchmarks (release): host overhead of a trivial tools/call.
bench:
    cargo bench --bench overhead
    cargo bench --bench operate
    cargo bench --bench speech
    cargo bench --bench failover
    cargo bench --bench calling
    cargo bench --bench cluster     # needs PostgreSQL's server binaries

# Check that the example still builds with cargo-component (installed when missing).
check-cargo-component:
    command -v cargo-component >/dev/null || cargo install cargo-component --locked
    cd examples/hello-tool && cargo component build --release
    for c in components/*/; do grep -qs '^\[package.metadata.component\]' $c/Cargo.toml || continue; (cd $c && cargo component build --release && rm -f src/bindings.rs) || exit 1; done
