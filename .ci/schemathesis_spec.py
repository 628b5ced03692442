"""The schemathesis run's helpers (see .ci/schemathesis).

    python schemathesis_spec.py spec BASE_URL BANNER_FILE OUT_FILE
    python schemathesis_spec.py summary HAR_FILE

`spec` writes the copy of openapi.yaml that schemathesis runs with: the same contract, with the
values the sandbox holds pinned so that generated requests reach real data.

- The link id becomes an `enum` of the seeded links (read from the sandbox's banner) that every
  link operation answers with 200, or 403 for a product not granted (probed here).
  Schemathesis takes any in-schema value as valid data and expects it to be accepted, and its
  stateful phase feeds the `link_id` of one answer into the next operation. So a seeded link
  that some operation answers with a documented error on purpose (422 for a link that is not
  connected, 410 for a deleted one) is set aside here by its id, for every operation, rather
  than the check being turned off. Those answers are checked against the spec, for every seeded
  and scenario link on every operation, by moneykit-sandbox/tests/spec.rs. Negative cases still
  send other ids (404).
- The token form's `grant_type`, `client_id` and `client_secret` become `enum`s of the values the
  sandbox accepts: the published schema types them as free strings, yet only
  `client_credentials` and the right pair can succeed (400/401 are documented for the rest).
- The `exchangeable_token` of `POST /link-session/exchange-token` becomes an `enum` of tokens
  made here: link sessions opened and then completed through the sandbox's own
  `POST /sandbox/link-session/complete` (no operation of the API completes one; the end user
  does, in Connect). Each exchanges once; a token used again is answered 400, as documented,
  which `.ci/schemathesis.toml` lets schemathesis accept from this operation only.

`summary` prints how many requests got each status, per operation, from the run's HAR report,
and fails unless every documented operation got a success: a run that only ever met 401 or 404
would pass every check while testing nothing.

Only the loopback sandbox is contacted. Uses PyYAML, which schemathesis depends on.
"""

import collections
import json
import re
import sys
import urllib.error
import urllib.request

import yaml

LINK_OPERATIONS = ["/links/{id}", "/links/{id}/accounts", "/links/{id}/accounts/numbers"]
CLIENT_ID = "sandbox_client_id"
CLIENT_SECRET = "sandbox_client_secret"


def seeded_ids(banner_path):
    """The ids listed under `seeded links:` in the banner."""
    ids, inside = [], False
    with open(banner_path, encoding="utf-8") as banner:
        for line in banner:
            if line.startswith("seeded links:"):
                inside = True
            elif inside and not line.strip():
                break
            elif inside:
                ids.append(line.split()[0])
    if not ids:
        sys.exit(f"no seeded links in {banner_path}")
    return ids


def status_of(url):
    request = urllib.request.Request(
        url, headers={"X-Client-Id": CLIENT_ID, "X-Client-Secret": CLIENT_SECRET}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def post_json(url, body):
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={
            "X-Client-Id": CLIENT_ID,
            "X-Client-Secret": CLIENT_SECRET,
            "Content-Type": "application/json",
        },
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def exchangeable_tokens(base_url, count):
    """`count` tokens of completed link sessions, each good for one exchange."""
    tokens = []
    for n in range(count):
        session = post_json(
            base_url + "/link-session",
            {
                "customer_user": {"id": f"schemathesis-{n}"},
                "redirect_uri": "https://yourdomain.com/oauth.html",
            },
        )
        completed = post_json(
            base_url + "/sandbox/link-session/complete",
            {"link_session_token": session["link_session_token"]},
        )
        tokens.append(completed["exchangeable_token"])
    return tokens


def write_spec(base_url, banner_path, out_path):
    with open("openapi.yaml", encoding="utf-8") as spec_file:
        spec = yaml.safe_load(spec_file)
    accepted = {200, 403}
    pinned = [
        i
        for i in seeded_ids(banner_path)
        if all(
            status_of(base_url + template.replace("{id}", i)) in accepted
            for template in LINK_OPERATIONS
        )
    ]
    if not pinned:
        sys.exit("no seeded link is answered with 200 or 403 by every link operation")
    link_id = spec["components"]["parameters"]["LinkId"]
    link_id["schema"] = {"type": "string", "enum": pinned}
    link_id["example"] = pinned[0]
    form = spec["components"]["schemas"]["BodyCreateAccessTokenAuthTokenPost"]["properties"]
    for field, value in [
        ("grant_type", "client_credentials"),
        ("client_id", CLIENT_ID),
        ("client_secret", CLIENT_SECRET),
    ]:
        form[field]["enum"] = [value]
    exchange = spec["components"]["schemas"]["ExchangeTokenRequest"]["properties"]
    exchange["exchangeable_token"]["enum"] = exchangeable_tokens(base_url, 20)
    with open(out_path, "w", encoding="utf-8") as out:
        yaml.safe_dump(spec, out, sort_keys=False)
    print("pinned link ids:", json.dumps(pinned))


def operation_of(method, url):
    """(method, path template) of a request the run sent."""
    path = re.sub(r"^[a-z]+://[^/]+", "", url).split("?")[0]
    return method, re.sub(r"^/links/[^/]*", "/links/{id}", path)


def summary(har_path):
    with open(har_path, encoding="utf-8") as har_file:
        entries = json.load(har_file)["log"]["entries"]
    counts = collections.defaultdict(collections.Counter)
    for entry in entries:
        operation = operation_of(entry["request"]["method"], entry["request"]["url"])
        counts[operation][entry["response"]["status"]] += 1
    with open("openapi.yaml", encoding="utf-8") as spec_file:
        paths = yaml.safe_load(spec_file)["paths"]
    missing = []
    print(f"{len(entries)} requests; statuses per operation:")
    for path, item in paths.items():
        for method in item:
            statuses = counts.pop((method.upper(), path), collections.Counter())
            print(f"  {method.upper():6} {path:30} {dict(sorted(statuses.items()))}")
            if not any(200 <= status < 300 for status in statuses):
                missing.append(f"{method.upper()} {path}")
    undocumented = sum(sum(c.values()) for c in counts.values())
    print(f"  other methods and paths: {undocumented} requests")
    if missing:
        sys.exit(f"no 2xx for: {', '.join(missing)}")


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "spec":
        write_spec(*sys.argv[2:])
    elif len(sys.argv) == 3 and sys.argv[1] == "summary":
        summary(sys.argv[2])
    else:
        sys.exit(__doc__)
