"""The limit: a bare ASGI app on uvicorn + uvloop + httptools that answers every request with a canned
GetCallerIdentity response (no parsing, no signature check, no store).

    python bench/bare_app.py PORT
"""

from __future__ import annotations

import sys

import uvicorn

_BODY = (b'<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>'
         b"<Arn>arn:aws:iam::000000000000:root</Arn><UserId>000000000000</UserId><Account>000000000000</Account>"
         b"</GetCallerIdentityResult><ResponseMetadata><RequestId>00000000-0000-0000-0000-000000000000</RequestId>"
         b"</ResponseMetadata></GetCallerIdentityResponse>")
_HEADERS = [(b"content-type", b"text/xml"), (b"content-length", str(len(_BODY)).encode())]


async def app(scope, receive, send) -> None:
    if scope["type"] != "http":
        return
    while (await receive()).get("more_body"):
        pass
    await send({"type": "http.response.start", "status": 200, "headers": _HEADERS})
    await send({"type": "http.response.body", "body": _BODY})


if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), loop="uvloop", http="httptools", log_level="warning",
                access_log=False, proxy_headers=False, lifespan="off")
