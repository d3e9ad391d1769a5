#!/usr/bin/env bash
# Makes doelpoort's development PKI: never use it in production.
#
#   certs/make-dev-pki.sh [--out DIR] [--force]
#
# DIR (default certs/out, git-ignored) receives, all with ECDSA P-256 keys:
#   ca.crt ca.key            the development CA (signs everything below)
#   ca.crl                   its CRL, listing revoked-app.crt
#   ca-before-revocation.crl an earlier CRL of the CA, before revoked-app.crt was revoked
#   ca-expired.crl           a CRL whose next update has passed (verification must fail closed)
#   gateway.crt/.key         doelpoort's TLS server certificate (localhost, 127.0.0.1)
#   gateway-client.crt/.key  doelpoort's client certificate towards the registries
#   registry.crt/.key        the simulated registries' server certificate (localhost, 127.0.0.1)
#   registry-wrongname.crt/.key  a registry certificate for another host name (must be refused)
#   app-zaaksysteem.crt/.key the case-work application registered in config/doelpoort.yaml
#   app-unregistered.crt/.key an application certificate from our CA that no config names
#   expired-app.crt/.key     validity ended in 2021
#   notyet-app.crt/.key      validity starts in 2099
#   revoked-app.crt/.key     revoked in ca.crl
#   foreign-ca.crt, foreign-app.crt/.key  a certificate from a CA doelpoort does not trust
set -euo pipefail

out=certs/out
force=0
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out=$2; shift 2 ;;
    --force) force=1; shift ;;
    -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "make-dev-pki: unknown argument: $1" >&2; exit 2 ;;
  esac
done

if [ -f "$out/ca.crl" ] && [ $force -eq 0 ]; then
  echo "make-dev-pki: $out already holds a PKI (use --force to remake it)"
  exit 0
fi
rm -rf "$out"
mkdir -p "$out"
umask 077
cd "$out"

mkdir -p ca/newcerts foreign/newcerts
: > ca/index.txt; : > foreign/index.txt
echo 1000 > ca/serial; echo 1000 > foreign/serial
echo 1000 > ca/crlnumber

conf() { # $1 = ca dir
  cat <<CONF
[ ca ]
default_ca = dev
[ dev ]
dir = $1
database = \$dir/index.txt
new_certs_dir = \$dir/newcerts
serial = \$dir/serial
crlnumber = \$dir/crlnumber
default_md = sha256
default_crl_days = 30
policy = anything
unique_subject = no
copy_extensions = none
[ anything ]
countryName = optional
organizationName = optional
organizationalUnitName = optional
commonName = supplied
serialNumber = optional
[ server ]
basicConstraints = critical,CA:false
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = \$ENV::SAN
[ client ]
basicConstraints = critical,CA:false
keyUsage = critical,digitalSignature
extendedKeyUsage = clientAuth
[ ca_ext ]
basicConstraints = critical,CA:true,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
CONF
}
conf ca > ca/openssl.cnf
conf foreign > foreign/openssl.cnf
export SAN=DNS:localhost

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key" 2>/dev/null; }

make_ca() { # $1 name, $2 dir, $3 subject
  key "$1"
  openssl req -new -x509 -key "$1.key" -out "$1.crt" -days 3650 -subj "$3" \
    -config "$2/openssl.cnf" -extensions ca_ext 2>/dev/null
}

# issue NAME CADIR CANAME EXT SUBJECT [extra openssl-ca args...]
issue() {
  local name=$1 dir=$2 ca=$3 ext=$4 subj=$5; shift 5
  key "$name"
  openssl req -new -key "$name.key" -subj "$subj" -out "$name.csr" 2>/dev/null
  openssl ca -batch -config "$dir/openssl.cnf" -cert "$ca.crt" -keyfile "$ca.key" \
    -extensions "$ext" -in "$name.csr" -out "$name.crt" -notext "$@" 2>/dev/null
  rm -f "$name.csr"
}

org="/C=NL/O=Gemeente Voorbeeld"
# Expired, not-yet-valid, revoked and foreign certificates carry the registered application's own name and
# OIN, so only the TLS checks can refuse them.
app_subject="$org/OU=Werkplein/CN=zaaksysteem/serialNumber=00000001001234567001"
make_ca ca ca "$org/OU=Werkplein/CN=Doelpoort Development CA"
make_ca foreign-ca foreign "/C=NL/O=Elders/CN=Foreign CA"

SAN="DNS:localhost,IP:127.0.0.1" issue gateway ca ca server "$org/OU=Werkplein/CN=doelpoort" -days 825
SAN="DNS:localhost,IP:127.0.0.1" issue registry ca ca server "/C=NL/O=Suwinet Simulator/CN=registry" -days 825
SAN="DNS:registry.elders.example" issue registry-wrongname ca ca server "/C=NL/O=Suwinet Simulator/CN=registry.elders.example" -days 825
issue gateway-client ca ca client "$org/OU=Werkplein/CN=doelpoort-client/serialNumber=00000001001234567000" -days 825
issue app-zaaksysteem ca ca client "$app_subject" -days 825
issue app-unregistered ca ca client "$org/OU=Werkplein/CN=onbekende-app" -days 825
issue expired-app ca ca client "$app_subject" -startdate 20200101000000Z -enddate 20210101000000Z
issue notyet-app ca ca client "$app_subject" -startdate 20990101000000Z -enddate 20991231000000Z
issue revoked-app ca ca client "$app_subject" -days 825
issue foreign-app foreign foreign-ca client "$app_subject" -days 825

# A CRL from before the revocation (for tests that reload the CRL), then the revocation itself.
openssl ca -batch -config ca/openssl.cnf -cert ca.crt -keyfile ca.key -gencrl -out ca-before-revocation.crl 2>/dev/null
openssl ca -batch -config ca/openssl.cnf -cert ca.crt -keyfile ca.key -revoke revoked-app.crt 2>/dev/null
openssl ca -batch -config ca/openssl.cnf -cert ca.crt -keyfile ca.key -gencrl -out ca.crl 2>/dev/null

# A CRL that is out of date: issued 40 days ago, valid 30 (faketime is not needed: openssl ca takes
# -crl_lastupdate/-crl_nextupdate since 3.0).
openssl ca -batch -config ca/openssl.cnf -cert ca.crt -keyfile ca.key -gencrl -out ca-expired.crl \
  -crl_lastupdate "$(date -u -d '-40 days' +%Y%m%d%H%M%SZ)" -crl_nextupdate "$(date -u -d '-10 days' +%Y%m%d%H%M%SZ)" 2>/dev/null

chmod 644 ./*.crt ./*.crl
echo "make-dev-pki: development PKI written to $out"
