#!/bin/sh
# Creates what mutual TLS between Crm.Actors nodes needs (README "Running a cluster", TLS), with openssl:
#   <dir>/ca.crt               the cluster's own CA certificate: Cluster:Tls:TrustedCaPath of every node
#   <dir>/ca.key               its private key: whoever holds it can make nodes (keep it off the nodes in production)
#   <dir>/<node>.pfx           per node, a certificate signed by the CA with its key: Cluster:Tls:CertificatePath
#   <dir>/<node>.crt, .key     the same as PEM: Cluster:Tls:CertificatePemPath and Cluster:Tls:KeyPemPath
#   <dir>/pfx-password         the PFX files' password (random): Cluster:Tls:CertificatePassword_FILE
# Usage: cluster-certs.sh <dir> <node>...   A node is named as its peers reach it (its Cluster:Hostname); the name
# goes into the certificate's subject alternative name, as an IP address when it is one.
# Existing files are kept, so running it again adds only new nodes; to renew a node's certificate, delete its three
# files and run it again (README: rotating certificates).
# Environment: CERT_DAYS (node certificates' validity, default 397), CA_DAYS (default 3650), CERT_OWNER (chown the
# files to this uid[:gid], e.g. 1654, the user the .NET images run as).
set -eu
[ $# -ge 2 ] || { echo "usage: $0 <dir> <node>..." >&2; exit 2; }
dir=$1
shift
mkdir -p "$dir"
cd "$dir"
umask 077 # keys and password readable by their owner only

[ -f pfx-password ] || openssl rand -hex 24 > pfx-password
if [ ! -f ca.key ]; then
  openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -sha256 \
    -keyout ca.key -out ca.crt -days "${CA_DAYS:-3650}" -subj "/CN=Crm.Actors cluster CA" \
    -addext "basicConstraints=critical,CA:TRUE,pathlen:0" -addext "keyUsage=critical,keyCertSign,cRLSign" 2> /dev/null
  echo "created the cluster CA: $dir/ca.crt"
fi

for node in "$@"; do
  [ -f "$node.pfx" ] && continue
  case $node in
    *[!0-9.]*) name="DNS:$node" ;;
    *) name="IP:$node" ;;
  esac
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$node.key" -out "$node.csr" -subj "/CN=$node" 2> /dev/null
  # A node both accepts and opens connections: its certificate serves TLS servers and clients alike.
  printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=%s\n' "$name" > "$node.ext"
  openssl x509 -req -in "$node.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -sha256 -days "${CERT_DAYS:-397}" \
    -extfile "$node.ext" -out "$node.crt" 2> /dev/null
  openssl pkcs12 -export -inkey "$node.key" -in "$node.crt" -name "$node" -passout file:pfx-password -out "$node.pfx"
  rm -f "$node.csr" "$node.ext"
  echo "created the certificate of $node: $dir/$node.pfx (and .crt, .key)"
done

[ -z "${CERT_OWNER:-}" ] || chown -R "$CERT_OWNER" .
