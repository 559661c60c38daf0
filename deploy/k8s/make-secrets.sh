#!/bin/sh
# The Secrets the platform reads, made once per namespace after the RabbitMQ cluster is up
# (its operator makes grid-rabbitmq-default-user):
#
#     sh deploy/k8s/make-secrets.sh [NAMESPACE]      # default: grid
#
# - grid-db-<component>: each component's PostgreSQL role (CloudNativePG creates the role with it);
# - grid-secrets: what the pods mount as files under /run/secrets/grid (NAME_FILE variables):
#   <component>-database-url, amqp-uri, gateway-secret-key, web-secret-key.
# Random values from openssl; nothing is printed. docs/operations.md says how to rotate them.
set -eu
ns=${1:-grid}
if kubectl -n "$ns" get secret grid-secrets >/dev/null 2>&1; then
    echo "grid-secrets already exists in $ns: to change a value, see docs/operations.md (rotating keys)" >&2
    exit 1
fi
umask 077
dir=$(mktemp -d)  # grid-secrets' files; each role's pair goes in $dir/role, outside it
trap 'rm -rf "$dir"' EXIT
mkdir "$dir/role"
for component in reporting dispatch mediation scoring gateway web; do
    password=$(openssl rand -hex 24)
    printf '%s' "$component" > "$dir/role/username"
    printf '%s' "$password" > "$dir/role/password"
    kubectl -n "$ns" create secret generic "grid-db-$component" --type=kubernetes.io/basic-auth \
        --from-file="$dir/role"
    kubectl -n "$ns" label secret "grid-db-$component" cnpg.io/reload=true
    printf 'postgresql://%s:%s@grid-postgres-rw:5432/%s' "$component" "$password" "$component" \
        > "$dir/$component-database-url"
done
user=$(kubectl -n "$ns" get secret grid-rabbitmq-default-user -o jsonpath='{.data.username}' | base64 -d)
password=$(kubectl -n "$ns" get secret grid-rabbitmq-default-user -o jsonpath='{.data.password}' | base64 -d)
printf 'amqp://%s:%s@grid-rabbitmq:5672/' "$user" "$password" > "$dir/amqp-uri"
openssl rand -hex 32 | tr -d '\n' > "$dir/gateway-secret-key"
openssl rand -hex 32 | tr -d '\n' > "$dir/web-secret-key"
rm -r "$dir/role"
kubectl -n "$ns" create secret generic grid-secrets --from-file="$dir"
