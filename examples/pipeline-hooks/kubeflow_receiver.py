"""aisoc pipeline hook for Kubeflow Pipelines: disables and enables recurring runs.

Run in the cluster:  AISOC_HOOK_SECRET=... KFP_URL=http://ml-pipeline.kubeflow:8888 \
  python3 kubeflow_receiver.py
and name it in aisoc.yaml:  respond.webhooks.kubeflow: { url: http://this-service:9011/, secretFile: ... }
"""

import hashlib
import hmac
import json
import os
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, HTTPServer

SECRET = os.environ["AISOC_HOOK_SECRET"].encode()
KFP = os.environ.get("KFP_URL", "http://ml-pipeline.kubeflow:8888").rstrip("/")
TOKEN = os.environ.get("KFP_TOKEN")  # a service-account bearer token, when the API needs one
# Which recurring runs (ids) train on which dataset; "*" is every one listed here.
RUNS_BY_DATASET = {"transactions": ["2f1c…-recurring-run-id"]}
MAX_AGE_S = 300


def runs_for(datasets):
    if "*" in datasets:
        return sorted({r for runs in RUNS_BY_DATASET.values() for r in runs})
    return sorted({r for ds in datasets for r in RUNS_BY_DATASET.get(ds, [])})


def switch(run_id, enable):
    verb = "enable" if enable else "disable"
    headers = {"Authorization": f"Bearer {TOKEN}"} if TOKEN else {}
    req = urllib.request.Request(
        f"{KFP}/apis/v2beta1/recurringruns/{run_id}:{verb}", data=b"", method="POST", headers=headers
    )
    with urllib.request.urlopen(req, timeout=10) as res:
        if res.status != 200:
            raise RuntimeError(f"Kubeflow answered {res.status} to {verb} {run_id}")


class Hook(BaseHTTPRequestHandler):
    def do_POST(self):
        raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        stamp = self.headers.get("x-aisoc-timestamp", "")
        expected = "v1=" + hmac.new(SECRET, f"{stamp}.".encode() + raw, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, self.headers.get("x-aisoc-signature", "")):
            return self.answer(401, "bad signature")
        if not stamp.isdigit() or abs(time.time() - int(stamp)) > MAX_AGE_S:
            return self.answer(401, "stale timestamp")
        body = json.loads(raw)
        if body["type"] not in ("aisoc.pipeline.freeze", "aisoc.pipeline.thaw"):
            return self.answer(400, "unknown type")
        try:
            for run_id in runs_for(body["datasets"]):
                switch(run_id, enable=body["type"] == "aisoc.pipeline.thaw")
        except Exception as error:  # aisoc records the freeze only on a 2xx: say it failed
            return self.answer(502, str(error))
        self.answer(200, "ok")

    def answer(self, status, text):
        self.send_response(status)
        self.end_headers()
        self.wfile.write(text.encode())


if __name__ == "__main__":
    HTTPServer(("0.0.0.0", int(os.environ.get("PORT", "9011"))), Hook).serve_forever()
