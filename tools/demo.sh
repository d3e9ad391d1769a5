#!/usr/bin/env bash
# `make demo`: the gateway with the simulated registries on embedded defaults (memory state, audit under
# demo-data/audit, the development PKI), a few sample inquiries, the audit records they left, and a
# verification of the audit log. Stops everything it started.
set -euo pipefail
build=${1:-build}
bin=$build/bin
config=config/doelpoort.yaml
gateway_port=8443
sim_port=9443
admin_port=9180   # config/doelpoort.yaml admin.listen: /metrics, /healthz, /readyz

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

for port in $gateway_port $sim_port $admin_port; do
  if (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null; then
    echo "demo: port $port on 127.0.0.1 is in use; stop what uses it and try again" >&2
    exit 1
  fi
done

say "Development PKI (certs/out)"
certs/make-dev-pki.sh
rm -rf demo-data
mkdir -p demo-data

say "Simulated registries (Suwinet BRP and UWV shapes) on 127.0.0.1:$sim_port"
"$bin/doelpoort-sim" serve --listen 127.0.0.1:$sim_port --cert certs/out/registry.crt --key certs/out/registry.key \
  --client-ca certs/out/ca.crt --port-file demo-data/sim.port > demo-data/sim.log 2>&1 &
pids+=($!)

say "doelpoort check"
"$bin/doelpoort" check --config $config

say "doelpoort serve on 127.0.0.1:$gateway_port"
"$bin/doelpoort" serve --config $config --port-file demo-data/gateway.port 2> demo-data/gateway.log &
gateway_pid=$!
pids+=($gateway_pid)
for _ in $(seq 100); do [ -f demo-data/gateway.port ] && [ -f demo-data/sim.port ] && break; sleep 0.1; done
[ -f demo-data/gateway.port ] || { cat demo-data/gateway.log; exit 1; }
echo "listening; operational log in demo-data/gateway.log"

# A person the simulated registries know, with an income.
bsn=$("$bin/doelpoort-sim" population --limit 50 | awk -F, 'NR > 1 && $7 == 1 { print $1; exit }')
inquire() { "$bin/doelpoort" inquire --config $config --cert certs/out/app-zaaksysteem.crt \
              --key certs/out/app-zaaksysteem.key --bsn "$bsn" "$@" || true; }

say "1. Permitted: inkomensconsulent, 'Vaststellen recht op bijstand', BRP. The registry returns the whole"
echo "   dossier; only the three fields asked for (and allowed) leave the gateway."
inquire --activity pw-recht-op-uitkering --user u1001 --case Z-2026-0042 \
  --source BRPDossierPersoon --fields voornamen,geslachtsnaam,adres_postcode

say "2. Permitted: the same case, income from UWV"
inquire --activity pw-recht-op-uitkering --user u1001 --case Z-2026-0042 \
  --source UWVDossierInkomsten --fields werkgever_naam,ikv_datum_aanvang

say "3. Denied: re-integratie may not see incomes (FIELD_NOT_PERMITTED); the registry is never asked"
inquire --activity pw-re-integratie --user u1002 --case Z-2026-0043 \
  --source UWVDossierInkomsten --fields werkgever_naam,loon_sv

say "4. Denied: a klantmanager werk may not decide on benefits (ROLE_NOT_AUTHORISED)"
inquire --activity pw-recht-op-uitkering --user u1002 --case Z-2026-0044 \
  --source BRPDossierPersoon --fields voornamen

say "What the registries received (only the permitted inquiries)"
curl -s --cacert certs/out/ca.crt --cert certs/out/gateway-client.crt --key certs/out/gateway-client.key \
  "https://127.0.0.1:$sim_port/_sim/stats"; echo

say "The integration team's view: GET http://127.0.0.1:$admin_port/readyz and /metrics (excerpt)"
curl -s "http://127.0.0.1:$admin_port/readyz"
curl -s "http://127.0.0.1:$admin_port/metrics" | grep -E '^doelpoort_(inquiries_total|registry_call_duration_seconds_count|audit_records_total)'

kill -TERM $gateway_pid; wait $gateway_pid || true
say "Audit records (demo-data/audit): the decision (durable before the registry is asked) and the outcome;"
echo "   subjects pseudonymised, withheld fields named, never their values"
/usr/bin/python3 - demo-data/audit <<'PY'
import json, pathlib, sys
outcomes, decisions = {}, []
for seg in sorted(pathlib.Path(sys.argv[1]).glob("segment-*.jsonl")):
    for line in seg.read_text().splitlines():
        r = json.loads(line)
        if r["kind"] == "decision": decisions.append(r)
        elif r["kind"] == "outcome": outcomes[r["inquiry_id"]] = r
for d in decisions:
    o = outcomes.get(d["inquiry_id"])
    code = o["code"] if o else d.get("code", "INCOMPLETE")
    print(f"#{d['seq']} {d['time']} {d['decision'].upper():6} {code}")
    print(f"   user {d['user']} via {d['application']}: {d['activity']} v{d['activity_version']}, case {d['case_reference']}")
    print(f"   {d['legal_basis']}")
    print(f"   {d['source']} about subject {d['subject'][:16]}…  asked {d['fields_requested']}")
    if o:
        print(f"   #{o['seq']} outcome: returned {o['fields_returned']}  withheld {o['fields_withheld']}")
    else:
        print(f"   {d['message']}")
PY

say "doelpoort audit query --bsn … : what the citizen is told (AVG art. 15), no staff names"
"$bin/doelpoort" audit query --config $config --bsn "$bsn" --format json
"$bin/doelpoort" audit report demo-data/audit --config $config --out demo-data/report.html
echo "privacy officer's report: demo-data/report.html"

say "doelpoort audit verify demo-data/audit --public-key demo-data/tree-head.key.pub"
"$bin/doelpoort" audit verify demo-data/audit --public-key demo-data/tree-head.key.pub
