#!/usr/bin/env bash
# A whole MCP session over stdio, by hand: initialize, list the tools, call two of them
# (one succeeds, one returns a tool error), then send a malformed line. Each reply is one
# JSON-RPC line on stdout; the host's logs go to stderr.
#
#   examples/clients/stdio-session.sh            # uses target/release/switchboard
#   SWITCHBOARD=/path/to/switchboard examples/clients/stdio-session.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
bin="${SWITCHBOARD:-target/release/switchboard}"
[ -x "$bin" ] || cargo build --release --quiet

{
    echo '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"by-hand","version":"1"}}}'
    echo '{"jsonrpc":"2.0","method":"notifications/initialized"}'
    echo '{"jsonrpc":"2.0","id":2,"method":"tools/list"}'
    echo '{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"hello_tool_area","arguments":{"shape":{"rectangle":[3,4]}}}}'
    echo '{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"hello_tool_divide","arguments":{"dividend":1,"divisor":0}}}'
    echo '{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"hello_tool_turn","arguments":{"facing":"up"}}}'
    echo '{this is not json'
    sleep 1
} | "$bin" serve 2>/dev/null | while IFS= read -r line; do
    if command -v jq >/dev/null; then jq -c 'if .result.tools then {id, tools: [.result.tools[].name]} else . end' <<<"$line"; else echo "$line"; fi
done
