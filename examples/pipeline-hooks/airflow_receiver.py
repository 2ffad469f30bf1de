"""aisoc pipeline hook for Apache Airflow: pauses and unpauses DAGs when aisoc freezes a pipeline.

Run beside Airflow:  AISOC_HOOK_SECRET=... AIRFLOW_URL=http://airflow:8080 \
  AIRFLOW_USER=... AIRFLOW_PASSWORD=... python3 airflow_receiver.py
and name it in aisoc.yaml:  respond.webhooks.airflow: { url: http://this-host:9010/, secretFile: ... }
"""

import base64
import hashlib
import hmac
import json
import os
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, HTTPServer

SECRET = os.environ["AISOC_HOOK_SECRET"].encode()
AIRFLOW = os.environ.get("AIRFLOW_URL", "http://localhost:8080").rstrip("/")
AUTH = base64.b64encode(
    f"{os.environ.get('AIRFLOW_USER', 'admin')}:{os.environ.get('AIRFLOW_PASSWORD', '')}".encode()
).decode()
# Which DAGs train on which dataset; "*" is every DAG listed here.
DAGS_BY_DATASET = {"transactions": ["fraud_retrain"], "payments": ["fraud_features", "fraud_retrain"]}
MAX_AGE_S = 300


def dags_for(datasets):
    if "*" in datasets:
        return sorted({d for dags in DAGS_BY_DATASET.values() for d in dags})
    return sorted({d for ds in datasets for d in DAGS_BY_DATASET.get(ds, [])})


def set_paused(dag_id, paused):
    req = urllib.request.Request(
        f"{AIRFLOW}/api/v1/dags/{dag_id}?update_mask=is_paused",
        data=json.dumps({"is_paused": paused}).encode(),
        method="PATCH",
        headers={"Content-Type": "application/json", "Authorization": f"Basic {AUTH}"},
    )
    with urllib.request.urlopen(req, timeout=10) as res:
        if res.status != 200:
            raise RuntimeError(f"Airflow answered {res.status} for {dag_id}")


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
        paused = body["type"] == "aisoc.pipeline.freeze"
        try:
            for dag in dags_for(body["datasets"]):
                set_paused(dag, paused)
        except Exception as error:  # aisoc records the freeze only on a 2xx: say it failed
            return self.answer(502, str(error))
        self.answer(200, "ok")

    def answer(self, status, text):
        self.send_response(status)
        self.end_headers()
        self.wfile.write(text.encode())


if __name__ == "__main__":
    HTTPServer(("0.0.0.0", int(os.environ.get("PORT", "9010"))), Hook).serve_forever()
