"""Refreshes one .tok file N times with the Python client (the Python half of the cross-language race):
prints each new access token's tail, checks the file is valid JSON after every step."""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "src"))
import latchkey  # noqa: E402

url, file, secret, count = sys.argv[1:5]
lk = latchkey.Client(url, "demo", credentials=latchkey.TokenFile(file, secret), env={}, profile=False)
for i in range(int(count)):
    token = lk.get_access_token(force_refresh=True)
    doc = json.loads(Path(file).read_text())
    if not isinstance(doc.get("refresh_token"), str):
        raise SystemExit(f"step {i}: the file has no refresh_token")
    print(token[-24:], flush=True)
