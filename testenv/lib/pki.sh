# Certificates, tokens and kubeconfigs of the test environment (made once, kept across restarts).
# Sourced by scripts/testenv. The CA key stays readable so tests can sign client certificates.

# make_pki: CA, apiserver serving cert (also kwok's kubelet-endpoint cert), service-account keys,
# token file. Skips files that exist, so a running cluster keeps trusting its clients.
make_pki() {
    mkdir -p "$PKI"
    [ -f "$PKI/ca.crt" ] || make_ca
    [ -f "$PKI/apiserver.crt" ] || make_serving_cert
    if [ ! -f "$PKI/sa.key" ]; then
        openssl genrsa -out "$PKI/sa.key" 2048 2>/dev/null
        openssl rsa -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub" 2>/dev/null
    fi
    # token,user,uid,"groups": admin bypasses RBAC via system:masters; dev has no bindings.
    cat >"$PKI/tokens.csv" <<'CSV'
admin-token,admin,uid-admin,"system:masters"
dev-token,dev,uid-dev,"testenv:dev"
CSV
    echo admin-token >"$PKI/admin.token"
    chmod 0644 "$PKI"/ca.key
}

make_ca() {
    say "making the CA in $PKI"
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=testenv-ca" \
        -addext "basicConstraints=critical,CA:TRUE" \
        -addext "keyUsage=critical,keyCertSign,cRLSign" \
        -keyout "$PKI/ca.key" -out "$PKI/ca.crt" 2>/dev/null
}

make_serving_cert() {
    openssl req -newkey rsa:2048 -nodes -subj "/CN=kube-apiserver" \
        -keyout "$PKI/apiserver.key" -out "$PKI/apiserver.csr" 2>/dev/null
    cat >"$PKI/apiserver.ext" <<'EXT'
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth,clientAuth
subjectAltName=DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,IP:127.0.0.1,IP:10.96.0.1
EXT
    openssl x509 -req -in "$PKI/apiserver.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" \
        -CAcreateserial -days 3650 -extfile "$PKI/apiserver.ext" -out "$PKI/apiserver.crt" 2>/dev/null
}

# write_kubeconfig FILE USER TOKEN
write_kubeconfig() {
    cat >"$1" <<YAML
apiVersion: v1
kind: Config
clusters:
- name: testenv
  cluster:
    server: $APISERVER
    certificate-authority: $PKI/ca.crt
users:
- name: $2
  user:
    token: $3
contexts:
- name: testenv-$2
  context: {cluster: testenv, user: $2, namespace: default}
current-context: testenv-$2
YAML
}

write_kubeconfigs() {
    write_kubeconfig "$RUN/kubeconfig" admin admin-token
    write_kubeconfig "$RUN/kubeconfig-dev" dev dev-token
}
