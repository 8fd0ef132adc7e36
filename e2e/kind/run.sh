#!/usr/bin/env bash
# End-to-end run on kind: a real cluster with real pods. Creates the kind
# cluster harbor-operator-e2e, installs cert-manager and ingress-nginx, builds
# the operator's image (deploy/Dockerfile) and loads it into the cluster, then
# runs `npm run e2e` against it with the operator in the cluster (the suite
# installs deploy/harbor-operator itself, with the loaded image). The cluster is
# deleted at the end, pass or fail, unless KEEP_CLUSTER=1.
#
#   bash e2e/kind/run.sh
#   KEEP_CLUSTER=1 bash e2e/kind/run.sh     # keep the cluster to look around
#
# Settings (environment):
#   CLUSTER_NAME           kind cluster name (default harbor-operator-e2e)
#   E2E_IMAGE              image to build and load (default harbor-operator:e2e)
#   E2E_SKIP_BUILD=1       load E2E_IMAGE as it is in docker, without building
#   KIND_NODE_IMAGE        kindest/node image (default: kind's own default)
#   CERT_MANAGER_VERSION   default: "certManager" of test/cluster/versions.json
#   INGRESS_NGINX_VERSION  git tag of ingress-nginx's kind manifest (default below)
#   HELM_BIN               helm v4 the suite installs the chart with (default: helm on PATH)
#   KEEP_CLUSTER=1         do not delete the cluster at the end
#
# Needs docker (with a running daemon), kind, kubectl, helm v4, and `npm ci`
# done. Ports 80 and 443 of the host must be free (kind-config.yaml maps them).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)

CLUSTER_NAME=${CLUSTER_NAME:-harbor-operator-e2e}
E2E_IMAGE=${E2E_IMAGE:-harbor-operator:e2e}
INGRESS_NGINX_VERSION=${INGRESS_NGINX_VERSION:-controller-v1.15.1}
KEEP_CLUSTER=${KEEP_CLUSTER:-0}

log() { echo "e2e-kind: $*" >&2; }
die() { log "FAILED: $*"; exit 1; }

# ------------------------------------------------------------ requirements
for tool in docker kind kubectl helm; do
  command -v "$tool" >/dev/null || die "$tool is required and not on PATH"
done
docker info >/dev/null 2>&1 || die "docker is installed but its daemon does not answer (docker info)"
[ -x "$root/node_modules/.bin/node" ] || die "node_modules missing: run 'npm ci' in $root first"
node_bin="$root/node_modules/.bin/node"

HELM_BIN=${HELM_BIN:-$(command -v helm)}
helm_version=$("$HELM_BIN" version --template '{{.Version}}' 2>/dev/null || true)
case "$helm_version" in
  v4.*) ;;
  *) die "helm v4 is required (the project renders with helm v4); $HELM_BIN is '${helm_version:-unknown}'. Set HELM_BIN." ;;
esac

if [ -z "${CERT_MANAGER_VERSION:-}" ]; then
  CERT_MANAGER_VERSION=$("$node_bin" -p "require('$root/test/cluster/versions.json').certManager")
fi
cert_manager_url="https://github.com/cert-manager/cert-manager/releases/download/${CERT_MANAGER_VERSION}/cert-manager.yaml"
ingress_nginx_url="https://raw.githubusercontent.com/kubernetes/ingress-nginx/${INGRESS_NGINX_VERSION}/deploy/static/provider/kind/deploy.yaml"

# The cluster's kubeconfig is kept apart: ~/.kube/config is never touched.
work=$(mktemp -d "${TMPDIR:-/tmp}/harbor-operator-e2e.XXXXXX")
kubeconfig="$work/kubeconfig"
export KUBECONFIG="$kubeconfig"

t0=$(date +%s)
step() { log "$* (+$(( $(date +%s) - t0 ))s)"; }

cleanup() {
  local code=$?
  set +e
  if [ "$code" -ne 0 ] && kind get clusters 2>/dev/null | grep -qx "$CLUSTER_NAME"; then
    local logs="$root/test-results/kind-logs"
    log "run failed (exit $code); exporting the cluster's logs to $logs"
    kind export logs "$logs" --name "$CLUSTER_NAME" >/dev/null 2>&1
  fi
  if [ "$KEEP_CLUSTER" = "1" ]; then
    log "cluster $CLUSTER_NAME kept (KEEP_CLUSTER=1):"
    log "  export KUBECONFIG=$kubeconfig"
    log "  delete it with: kind delete cluster --name $CLUSTER_NAME"
  else
    step "deleting the cluster $CLUSTER_NAME"
    kind delete cluster --name "$CLUSTER_NAME" >/dev/null 2>&1
    rm -rf "$work"
  fi
  exit "$code"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ----------------------------------------------------------------- cluster
if kind get clusters 2>/dev/null | grep -qx "$CLUSTER_NAME"; then
  step "reusing the existing kind cluster $CLUSTER_NAME"
  kind export kubeconfig --name "$CLUSTER_NAME" --kubeconfig "$kubeconfig" >/dev/null
else
  step "creating the kind cluster $CLUSTER_NAME"
  kind create cluster --name "$CLUSTER_NAME" --config "$here/kind-config.yaml" \
    --kubeconfig "$kubeconfig" --wait 180s ${KIND_NODE_IMAGE:+--image "$KIND_NODE_IMAGE"}
fi
kubectl get nodes -o wide

# ------------------------------------------------------------ cert-manager
step "installing cert-manager $CERT_MANAGER_VERSION"
kubectl apply -f "$cert_manager_url" >/dev/null
kubectl -n cert-manager wait --for=condition=Available deployment --all --timeout=300s
# Available is not enough: the webhook answers only once its CA is injected.
# A server-side dry run of an Issuer goes through the webhook.
for i in $(seq 1 60); do
  if kubectl apply --dry-run=server -f - >/dev/null 2>&1 <<'EOF'
apiVersion: cert-manager.io/v1
kind: Issuer
metadata:
  name: e2e-webhook-check
  namespace: default
spec:
  selfSigned: {}
EOF
  then break; fi
  [ "$i" -eq 60 ] && die "cert-manager's webhook did not answer within 120 s"
  sleep 2
done

# ----------------------------------------------------------- ingress-nginx
step "installing ingress-nginx ($INGRESS_NGINX_VERSION, kind manifest)"
kubectl apply -f "$ingress_nginx_url" >/dev/null
kubectl -n ingress-nginx wait --for=condition=Ready pod \
  --selector=app.kubernetes.io/component=controller --timeout=300s

# ------------------------------------------------------------------- image
if [ "${E2E_SKIP_BUILD:-0}" = "1" ]; then
  step "using the image $E2E_IMAGE as it is (E2E_SKIP_BUILD=1)"
  docker image inspect "$E2E_IMAGE" >/dev/null 2>&1 || die "E2E_SKIP_BUILD=1 but docker has no image $E2E_IMAGE"
else
  step "building $E2E_IMAGE from deploy/Dockerfile (cold: several minutes, helm is compiled)"
  docker build -f "$root/deploy/Dockerfile" -t "$E2E_IMAGE" "$root"
fi
step "loading $E2E_IMAGE into the kind nodes"
kind load docker-image "$E2E_IMAGE" --name "$CLUSTER_NAME"

# ------------------------------------------------------------------- suite
# test/run.ts uses the cluster of KUBECONFIG only with USE_EXISTING_CLUSTER=true
# (otherwise it starts its local control plane).
step "running npm run e2e against $CLUSTER_NAME (operator in the cluster)"
cd "$root"
USE_EXISTING_CLUSTER=true \
  KUBECONFIG="$kubeconfig" \
  E2E_OPERATOR=in-cluster \
  E2E_IMAGE="$E2E_IMAGE" \
  HELM_BIN="$HELM_BIN" \
  npm run e2e
step "e2e passed"
