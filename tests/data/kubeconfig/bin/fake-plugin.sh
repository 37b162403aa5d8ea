#!/bin/sh
# A fake exec credential plugin for tests: echoes FAKE_PLUGIN_TOKEN in an ExecCredential of the
# apiVersion that KUBERNETES_EXEC_INFO asks for, and records its arguments when asked.
version=$(printf '%s' "$KUBERNETES_EXEC_INFO" | sed -n 's/.*"apiVersion":"\([^"]*\)".*/\1/p')
[ -n "$FAKE_PLUGIN_ARGS_FILE" ] && echo "$@" >"$FAKE_PLUGIN_ARGS_FILE"
[ -n "$FAKE_PLUGIN_COUNT_FILE" ] && echo x >>"$FAKE_PLUGIN_COUNT_FILE"
# Set to make it fail like a plugin whose login session ended.
[ -n "$FAKE_PLUGIN_FAIL" ] && { echo "fake-plugin: not logged in" >&2; exit 3; }
printf '{"apiVersion":"%s","kind":"ExecCredential","status":{"token":"%s","expirationTimestamp":"%s"}}\n' \
    "$version" "$FAKE_PLUGIN_TOKEN" "${FAKE_PLUGIN_EXPIRY:-2999-01-01T00:00:00Z}"
