#!/usr/bin/env bash
# Builds the local control plane from Go modules: kube-apiserver,
# kube-controller-manager, kube-scheduler, etcd, kwok and helm, at the versions
# pinned in test/cluster/versions.json. Binaries are cached outside the
# repository, one folder per component and version, so a second run builds
# nothing. Prints the folder of each component on success.
#
#   HARBOR_OPERATOR_CACHE  cache root (default: ${XDG_CACHE_HOME:-~/.cache}/harbor-operator)
#   HARBOR_BUILD_HEARTBEAT_SECONDS  interval of the progress lines while go runs (default 20)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
versions="$here/versions.json"
cache=${HARBOR_OPERATOR_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/harbor-operator}

die() { echo "build: $*" >&2; exit 1; }
command -v go >/dev/null || die "Go is required to build the control plane (https://go.dev/dl); none on PATH"
command -v jq >/dev/null || die "jq is required (apt-get install jq)"

v() { jq -er ".$1" "$versions"; }
K8S=$(v kubernetes); ETCD=$(v etcd); KWOK=$(v kwok); HELM=$(v helm); CERT_MANAGER=$(v certManager)

export CGO_ENABLED=0 GOFLAGS="-mod=mod -buildvcs=false" GOTOOLCHAIN=${GOTOOLCHAIN:-local}
log() { echo "build: $*" >&2; }

# go prints nothing for minutes while it compiles: while a command runs, a
# line every HARBOR_BUILD_HEARTBEAT_SECONDS (20) says what runs and for how
# long. The heartbeat is a background subshell, stopped when the command ends
# and on exit (also after a failure or a signal).
hb_pid=
heartbeat_stop() {
  if [ -n "$hb_pid" ]; then
    kill "$hb_pid" 2>/dev/null || true
    wait "$hb_pid" 2>/dev/null || true
    hb_pid=
  fi
}
trap heartbeat_stop EXIT
trap 'heartbeat_stop; exit 130' INT TERM
with_heartbeat() {
  local what=$1; shift
  local every=${HARBOR_BUILD_HEARTBEAT_SECONDS:-20} start=$SECONDS rc=0
  (
    set +e
    # Whichever sleep runs (also one forked just before the signal) is
    # killed and reaped: nothing of the heartbeat outlives it.
    trap 'kill $(jobs -p) 2>/dev/null; wait; exit 0' TERM
    while :; do
      sleep "$every" &
      wait $!
      log "$what: still running, $((SECONDS - start)) s elapsed"
    done
  ) >&2 &
  hb_pid=$!
  "$@" || rc=$?
  heartbeat_stop
  if [ "$rc" -ne 0 ]; then
    log "$what: failed after $((SECONDS - start)) s (exit $rc)"
    return "$rc"
  fi
  log "$what: done in $((SECONDS - start)) s"
}

# Writes a tiny Go module in $1 that requires $2@$3; extra lines follow.
module() {
  local dir=$1 req=$2 ver=$3; shift 3
  mkdir -p "$dir"
  { echo "module harbor-operator.local/controlplane/$(basename "$dir")"
    echo; echo "go $(go env GOVERSION | sed -E 's/^go([0-9]+\.[0-9]+).*/\1/')"
    echo; echo "require $req $ver"
    for line in "$@"; do echo "$line"; done
  } > "$dir/go.mod"
}

build_kubernetes() {
  local out="$cache/bin/kubernetes-$K8S"
  if [ -x "$out/kube-apiserver" ] && [ -x "$out/kube-controller-manager" ] && [ -x "$out/kube-scheduler" ]; then
    echo "$out"; return
  fi
  log "kubernetes $K8S: building kube-apiserver, kube-controller-manager, kube-scheduler (cold: 10-25 min)"
  local src="$cache/src/kubernetes-$K8S"
  # kubernetes' go.mod points every k8s.io staging module at a local folder;
  # map each one it requires at v0.0.0 to the published v0.X.Y instead. The
  # list is read from the release's own go.mod so it follows the release.
  local mod staging
  mod=$(with_heartbeat "kubernetes $K8S: downloading its module" go mod download -json "k8s.io/kubernetes@$K8S" | jq -r .GoMod)
  local minor=${K8S#v1.}
  staging=$(awk '$1 ~ /^k8s\.io\// && $2 == "v0.0.0" { print $1 }' "$mod" | sort -u)
  [ -n "$staging" ] || die "no staging modules found in $mod"
  local replaces=("" "replace (")
  for m in $staging; do replaces+=("	$m => $m v0.$minor"); done
  replaces+=(")")
  module "$src" k8s.io/kubernetes "$K8S" "${replaces[@]}"
  local vpkg=k8s.io/component-base/version cpkg=k8s.io/client-go/pkg/version
  local major=1 minornum=${minor%%.*}
  local ld="-s -w"
  for p in $vpkg $cpkg; do
    ld+=" -X $p.gitVersion=$K8S -X $p.gitMajor=$major -X $p.gitMinor=$minornum -X $p.gitTreeState=clean -X $p.buildDate=1970-01-01T00:00:00Z"
  done
  mkdir -p "$out.tmp"
  (cd "$src" && with_heartbeat "kubernetes $K8S: downloading dependencies, compiling kube-apiserver, kube-controller-manager, kube-scheduler" \
    go build -trimpath -ldflags "$ld" -o "$out.tmp/" \
    k8s.io/kubernetes/cmd/kube-apiserver \
    k8s.io/kubernetes/cmd/kube-controller-manager \
    k8s.io/kubernetes/cmd/kube-scheduler) || die "kubernetes $K8S: go build failed"
  rm -rf "$out"; mv "$out.tmp" "$out"
  echo "$out"
}

build_etcd() {
  local out="$cache/bin/etcd-$ETCD"
  if [ -x "$out/etcd" ]; then echo "$out"; return; fi
  log "etcd $ETCD: building"
  local src="$cache/src/etcd-$ETCD"
  module "$src" go.etcd.io/etcd/server/v3 "$ETCD"
  mkdir -p "$out.tmp"
  (cd "$src" && with_heartbeat "etcd $ETCD: downloading dependencies, compiling" \
    go build -trimpath -ldflags "-s -w" -o "$out.tmp/etcd" go.etcd.io/etcd/server/v3) || die "etcd $ETCD: go build failed"
  rm -rf "$out"; mv "$out.tmp" "$out"
  echo "$out"
}

# Modules without replace lines: go install at the pinned version.
build_installable() {
  local name=$1 pkg=$2 ver=$3 ld=$4
  local out="$cache/bin/$name-$ver"
  if [ -x "$out/$name" ]; then echo "$out"; return; fi
  log "$name $ver: building"
  mkdir -p "$out.tmp"
  GOBIN="$out.tmp" GOFLAGS=-buildvcs=false with_heartbeat "$name $ver: downloading, compiling" \
    go install -trimpath -ldflags "$ld" "$pkg@$ver" || die "$name $ver: go install failed"
  rm -rf "$out"; mv "$out.tmp" "$out"
  echo "$out"
}

# kwok v0.8 needs its stages as configuration: nodes that initialise and
# heartbeat, pods that become Ready, and PVCs of the kwok-volume class that get
# a bound PV. They ship in the kwok module; keep them beside the binary.
kwok_stages() {
  local out=$1
  [ -s "$out/stages.yaml" ] && return
  local src
  src=$(with_heartbeat "kwok $KWOK: downloading its stages" go mod download -json "sigs.k8s.io/kwok@$KWOK" | jq -r .Dir)/kustomize/stage
  local files=(node/fast/node-initialize.yaml node/heartbeat-with-lease/node-heartbeat-with-lease.yaml
    pod/fast/pod-ready.yaml pod/fast/pod-complete.yaml pod/fast/pod-delete.yaml
    volume/fast/pv-bind.yaml volume/fast/pv-delete.yaml volume/fast/pvc-provision.yaml volume/fast/pvc-delete.yaml)
  : > "$out/stages.yaml.tmp"
  for f in "${files[@]}"; do
    [ -s "$src/$f" ] || die "kwok stage $f missing in $src"
    { echo "---"; cat "$src/$f"; } >> "$out/stages.yaml.tmp"
  done
  mv "$out/stages.yaml.tmp" "$out/stages.yaml"
}

# cert-manager's CRDs (plain YAML in its Go module from v1.19), for tests of
# Certificates against the real API server. Its controller is not available
# here; tests say what stands in for the issuer.
cert_manager_crds() {
  local out="$cache/bin/cert-manager-$CERT_MANAGER"
  if [ -s "$out/crds.yaml" ]; then echo "$out"; return; fi
  log "cert-manager $CERT_MANAGER: fetching CRDs"
  local dir
  dir=$(with_heartbeat "cert-manager $CERT_MANAGER: downloading its module" go mod download -json "github.com/cert-manager/cert-manager@$CERT_MANAGER" | jq -r .Dir)
  [ -d "$dir/deploy/crds" ] || die "no deploy/crds in $dir"
  mkdir -p "$out"
  : > "$out/crds.yaml.tmp"
  for f in "$dir"/deploy/crds/*.yaml; do
    { echo "---"; cat "$f"; } >> "$out/crds.yaml.tmp"
  done
  mv "$out/crds.yaml.tmp" "$out/crds.yaml"
  echo "$out"
}

what=${1:-all}
case "$what" in
  kubernetes) build_kubernetes ;;
  etcd) build_etcd ;;
  kwok)
    out=$(build_installable kwok sigs.k8s.io/kwok/cmd/kwok "$KWOK" "-s -w -X sigs.k8s.io/kwok/pkg/consts.Version=${KWOK#v}")
    kwok_stages "$out"
    echo "$out" ;;
  helm) build_installable helm helm.sh/helm/v4/cmd/helm "$HELM" "-s -w -X helm.sh/helm/v4/internal/version.version=$HELM" ;;
  cert-manager) cert_manager_crds ;;
  all)
    "$0" helm; "$0" kwok; "$0" etcd; "$0" kubernetes; "$0" cert-manager ;;
  *) die "usage: build.sh [all|kubernetes|etcd|kwok|helm|cert-manager]" ;;
esac
