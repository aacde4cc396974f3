"""The attach and detach steps (POSIX sh, Azure CLI signed in), run by Terraform's local-exec.

Both read their inputs from the environment and call ``az rest`` only (no jq: ``--query`` with a
dotted path, ``--output tsv``). Only "not found" means absent: any other failed call stops the
step with its own message, so a throttled or expired-token GET never passes for "detached" or
"not attached". No ``${`` or ``%{`` in them: Terraform would read those as its own templates.

Environment: COMPUTE_ID, API_VERSION (compute REST API), POLL_SECONDS, MAX_CHECKS; the attach
also CLUSTER_ID, COMPUTE_BODY (the PUT body, JSON), NAMESPACE, IDENTITY_TYPE (empty: none),
BINDING_ID (the Trusted Access binding; empty: none), BINDING_API_VERSION, FLUX_CONFIGURATION_ID
(GitOps mode: the Flux configuration that applies the compute's namespace and instance types;
empty: none) and FLUX_API_VERSION.
"""

from __future__ import annotations

_PRELUDE = """\
set -u
if ! command -v az >/dev/null 2>&1; then
  echo "The Azure ML attach and detach run the Azure CLI (az), which is not on PATH: install it, sign in, apply again" >&2
  exit 1
fi
not_found() { case "$1" in *NotFound*|*"Not Found"*) return 0 ;; esac; return 1; }
lower() { printf '%s' "$1" | tr '[:upper:]' '[:lower:]'; }
url="$COMPUTE_ID?api-version=$API_VERSION"
detach() {
  if ! out=$(az rest --method delete --url "$url&underlyingResourceAction=Detach" 2>&1); then
    not_found "$out" && return 0
    echo "Detaching Azure ML compute $COMPUTE_ID failed: $out" >&2
    return 1
  fi
  attempt=0
  while [ "$attempt" -lt "$MAX_CHECKS" ]; do
    if ! out=$(az rest --method get --url "$url" --output none 2>&1); then
      not_found "$out" && return 0
      echo "Checking Azure ML compute $COMPUTE_ID failed, retrying: $out" >&2
    fi
    attempt=$((attempt + 1))
    sleep "$POLL_SECONDS"
  done
  echo "Azure ML compute $COMPUTE_ID is still attached after $MAX_CHECKS checks" >&2
  return 1
}
"""

# Destroy: detach (never delete the cluster) and wait until the compute is gone.
DETACH_SCRIPT = _PRELUDE + "detach\n"

# Create, and every retry of a failed create: safe to run again at any point.
# 1. Trusted Access binding Succeeded (azurerm does not poll its long-running operation, and a
#    compute attached before the binding is ready does not work).
# 2. GitOps mode: Flux reports the configuration Compliant (its kustomizations, the instance types
#    among them, applied): Azure ML syncs instance types during attach.
# 3. An existing compute of this name: still settling -> wait; attached to another cluster ->
#    refuse; Succeeded with the same namespace and identity -> done (a retry after a lost
#    answer, or a compute attached by an earlier version of this project); Succeeded but
#    different -> refuse (Azure ML cannot update it in place and re-attaching breaks its
#    endpoints: the user decides); Failed or Canceled on this cluster -> detach it first.
# 4. PUT, then poll until Succeeded; Failed stops the apply with Azure ML's errors (the next
#    apply detaches the failed compute and tries again).
ATTACH_SCRIPT = (
    _PRELUDE
    + """\
get() { az rest --method get --url "$url" --query "$1" --output tsv 2>&1; }
if [ -n "$BINDING_ID" ]; then
  attempt=0
  while :; do
    if ! state=$(az rest --method get --url "$BINDING_ID?api-version=$BINDING_API_VERSION" \\
        --query properties.provisioningState --output tsv 2>&1); then
      echo "Checking Trusted Access binding $BINDING_ID failed, retrying: $state" >&2
    fi
    [ "$state" = Succeeded ] && break
    case "$state" in Failed|Canceled)
      echo "Trusted Access binding $BINDING_ID is $state: fix it, then apply again" >&2; exit 1 ;;
    esac
    attempt=$((attempt + 1))
    if [ "$attempt" -ge "$MAX_CHECKS" ]; then
      echo "Trusted Access binding $BINDING_ID is not Succeeded after $MAX_CHECKS checks (last: $state)" >&2
      exit 1
    fi
    sleep "$POLL_SECONDS"
  done
fi
if [ -n "$FLUX_CONFIGURATION_ID" ]; then
  attempt=0
  while :; do
    if ! state=$(az rest --method get --url "$FLUX_CONFIGURATION_ID?api-version=$FLUX_API_VERSION" \\
        --query properties.complianceState --output tsv 2>&1); then
      echo "Checking Flux configuration $FLUX_CONFIGURATION_ID failed, retrying: $state" >&2
    fi
    [ "$state" = Compliant ] && break
    attempt=$((attempt + 1))
    if [ "$attempt" -ge "$MAX_CHECKS" ]; then
      echo "Flux has not applied $FLUX_CONFIGURATION_ID after $MAX_CHECKS checks (complianceState: $state):" \\
        "commit the manifests of make gitops, check az k8s-configuration flux show, then apply again" >&2
      exit 1
    fi
    sleep "$POLL_SECONDS"
  done
fi
attempt=0
while :; do
  if ! state=$(get properties.provisioningState); then
    not_found "$state" && break
    echo "Reading Azure ML compute $COMPUTE_ID failed: $state" >&2
    exit 1
  fi
  case "$state" in Creating|Updating|Deleting) ;; *) break ;; esac
  attempt=$((attempt + 1))
  if [ "$attempt" -ge "$MAX_CHECKS" ]; then
    echo "Azure ML compute $COMPUTE_ID is still $state after $MAX_CHECKS checks" >&2
    exit 1
  fi
  sleep "$POLL_SECONDS"
done
if ! not_found "$state"; then
  if ! attached=$(get properties.resourceId); then
    echo "Reading Azure ML compute $COMPUTE_ID failed: $attached" >&2
    exit 1
  fi
  if [ "$(lower "$attached")" != "$(lower "$CLUSTER_ID")" ]; then
    echo "Azure ML compute $COMPUTE_ID exists and attaches $attached, not $CLUSTER_ID:" \\
      "left untouched; choose another azureml.workspace.compute_name or detach it yourself" >&2
    exit 1
  fi
  case "$state" in
    Succeeded)
      namespace=$(get properties.properties.namespace) || { echo "Reading $COMPUTE_ID failed: $namespace" >&2; exit 1; }
      identity=$(get identity.type) || { echo "Reading $COMPUTE_ID failed: $identity" >&2; exit 1; }
      [ "$identity" = None ] && identity=""
      if [ "$namespace" = "$NAMESPACE" ] && [ "$(lower "$identity")" = "$(lower "$IDENTITY_TYPE")" ]; then
        echo "Azure ML compute $COMPUTE_ID is attached to this cluster already"
        exit 0
      fi
      echo "Azure ML compute $COMPUTE_ID is attached to this cluster with namespace '$namespace' and identity" \\
        "'$identity', not '$NAMESPACE' and '$IDENTITY_TYPE'. Azure ML cannot update it in place: detach it" \\
        "(az ml compute detach), then apply again" >&2
      exit 1 ;;
    *)
      echo "Azure ML compute $COMPUTE_ID is $state on this cluster: detaching it before attaching again" >&2
      detach || exit 1 ;;
  esac
fi
if ! out=$(az rest --method put --url "$url" --body "$COMPUTE_BODY" --output none 2>&1); then
  echo "Attaching Azure ML compute $COMPUTE_ID failed: $out" >&2
  exit 1
fi
attempt=0
while :; do
  if ! state=$(get properties.provisioningState); then
    echo "Checking Azure ML compute $COMPUTE_ID failed, retrying: $state" >&2
  fi
  case "$state" in
    Succeeded) echo "Azure ML compute $COMPUTE_ID attached"; exit 0 ;;
    Failed|Canceled)
      errors=$(az rest --method get --url "$url" --query properties.provisioningErrors --output json 2>&1)
      echo "Azure ML compute $COMPUTE_ID is $state: $errors" >&2
      echo "Apply again to detach the failed compute and retry the attach." >&2
      exit 1 ;;
  esac
  attempt=$((attempt + 1))
  if [ "$attempt" -ge "$MAX_CHECKS" ]; then
    echo "Azure ML compute $COMPUTE_ID is not Succeeded after $MAX_CHECKS checks (last: $state)" >&2
    exit 1
  fi
  sleep "$POLL_SECONDS"
done
"""
)
