#!/usr/bin/python3
"""Interop: a third-party SOAP client (python3-zeep) loads doelpoort's WSDL from GET /?wsdl over mutual
TLS, makes a permitted inquiry, and gets a SOAP Fault with a stable code for a denied one.

Starts its own simulator and gateway on free loopback ports; exits non-zero on the first failure."""
import argparse
import os
import subprocess
import sys
import tempfile
import time

import requests
from lxml import etree
import zeep
from zeep.transports import Transport
from zeep.wsa import WsAddressingPlugin


def wait_port(proc, path, log):
    for _ in range(1000):
        if os.path.exists(path):
            return int(open(path).read())
        if proc.poll() is not None:
            break
        time.sleep(0.02)
    sys.exit("did not start:\n" + open(log).read())


def start(argv, log):
    return subprocess.Popen(argv, stdout=open(log, "w"), stderr=subprocess.STDOUT)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin-dir", required=True)
    ap.add_argument("--pki", required=True)
    ap.add_argument("--source-dir", required=True)
    a = ap.parse_args()
    pki = lambda n: os.path.join(a.pki, n)
    tmp = tempfile.mkdtemp(prefix="dp-zeep-")
    procs = []
    try:
        population = subprocess.run([os.path.join(a.bin_dir, "doelpoort-sim"), "population", "--limit", "3"],
                                    check=True, capture_output=True, text=True).stdout.splitlines()
        bsn = population[1].split(",")[0]
        sim = start([os.path.join(a.bin_dir, "doelpoort-sim"), "serve", "--listen", "127.0.0.1:0",
                     "--cert", pki("registry.crt"), "--key", pki("registry.key"), "--client-ca", pki("ca.crt"),
                     "--port-file", tmp + "/sim.port"], tmp + "/sim.log")
        procs.append(sim)
        sim_port = wait_port(sim, tmp + "/sim.port", tmp + "/sim.log")
        base = "https://127.0.0.1:%d/suwibroker/soap/" % sim_port
        src = lambda name, url: (f"  {name}:\n    url: {url}\n    ca: {pki('ca.crt')}\n"
                                 f"    certificate: {pki('gateway-client.crt')}\n    key: {pki('gateway-client.key')}\n")
        with open(tmp + "/gw.yaml", "w") as f:
            f.write(f"""listen: 127.0.0.1:0
public_url: https://127.0.0.1:0/
tls: {{certificate: {pki('gateway.crt')}, key: {pki('gateway.key')}, client_ca: {pki('ca.crt')}, crl: {pki('ca.crl')}}}
register: {a.source_dir}/config/register.yaml
staff: {a.source_dir}/config/staff.yaml
mappings: {a.source_dir}/mappings
audit: {{dir: {tmp}/audit, subject_key: {tmp}/subject.key, signing_key: {tmp}/tree-head.key}}
applications:
  - {{id: zaaksysteem, oin: "00000001001234567001", activities: [pw-recht-op-uitkering]}}
sources:
""" + src("BRPDossierPersoon", base + "BRPDossierPersoonGSD-v0200")
                    + src("UWVDossierInkomsten", base + "UWVDossierInkomstenGSD-v0200"))
        gw = start([os.path.join(a.bin_dir, "doelpoort"), "serve", "--config", tmp + "/gw.yaml",
                    "--port-file", tmp + "/gw.port"], tmp + "/gw.log")
        procs.append(gw)
        port = wait_port(gw, tmp + "/gw.port", tmp + "/gw.log")
        url = "https://127.0.0.1:%d/" % port

        session = requests.Session()
        session.trust_env = False  # REQUESTS_CA_BUNDLE would otherwise override verify
        session.verify = pki("ca.crt")
        session.cert = (pki("app-zaaksysteem.crt"), pki("app-zaaksysteem.key"))
        client = zeep.Client(url + "?wsdl", transport=Transport(session=session), plugins=[WsAddressingPlugin()])
        service = client.create_service("{urn:nl:doelpoort:inquiry:v1}Doelpoort", url)

        answer = service.Inquire(activity="pw-recht-op-uitkering", caseReference="Z-1", userId="u1001",
                                 subjectBsn=bsn, source="BRPDossierPersoon", field=["voornamen", "geslachtsnaam"])
        names = sorted({f["name"] for f in answer["field"]})
        assert answer["status"] == "FOUND", answer
        assert names == ["geslachtsnaam", "voornamen"], names
        print("permitted inquiry:", answer["inquiryId"], names)

        try:
            service.Inquire(activity="pw-recht-op-uitkering", caseReference="Z-1", userId="u1001",
                            subjectBsn=bsn, source="BRPDossierPersoon", field=["voornamen", "geslacht"])
            sys.exit("denied inquiry was answered")
        except zeep.exceptions.Fault as fault:
            code = fault.detail.find("{urn:nl:doelpoort:inquiry:v1}InquiryFault/{urn:nl:doelpoort:inquiry:v1}code")
            assert code is not None and code.text == "FIELD_NOT_PERMITTED", etree.tostring(fault.detail)
            print("denied inquiry: Fault", code.text)

        bare = requests.Session()
        bare.trust_env = False
        bare.verify = pki("ca.crt")
        try:
            bare.get(url + "?wsdl", timeout=5)
            sys.exit("a client without a certificate got the WSDL")
        except requests.exceptions.RequestException as e:
            print("no certificate: refused (%s)" % type(e).__name__)
        print("interop_zeep: OK")
    finally:
        for p in reversed(procs):
            p.terminate()
            p.wait(timeout=15)


if __name__ == "__main__":
    main()
