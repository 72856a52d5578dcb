"""A Python SCC SDK doing the benchmark's workloads, the way its users use it: the original
(cisco-scc-sdk) or this project's package (scc_sdk on the Rust core), whichever the interpreter has;
both are imported as `scc_sdk`. With `"client": "http.client"` in the job, W1 runs on Python's own
http.client instead (the limit of pure Python); with `"client": "core"`, on this project's native core
called straight from the loop, without the package's Python layer (what the interpreter and the core
cost alone).

Reads a job as JSON on stdin (the same as the Rust worker's), prints the result as JSON on stdout.
W1: `client.organizations.get(org_id)` in a loop, by `concurrency` threads sharing one client. W2: the
onboarding flow of the seed's setup_org_flow for each organization, one after the other.
"""

import sys

if "--gevent" in sys.argv:
    # As a `gunicorn -k gevent` worker runs: everything patched before anything else is imported.
    from gevent import monkey

    monkey.patch_all()

import json  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from concurrent.futures import ThreadPoolExecutor  # noqa: E402

from scc_sdk import Client  # noqa: E402


def build_products(claim_info, preferred_region="NAM"):
    # As the SDK's README documents (the 1.0.6 code lacks it): preferred region, else the first one.
    products = []
    for product in claim_info.get("products", []):
        regions = product.get("allowedRegions") or []
        if not regions:
            continue
        region = next((r for r in regions if r.get("regionCode") == preferred_region), regions[0])
        products.append({"id": product["id"], "useExistingTenant": False,
                         "regionCode": region["regionCode"], "regionDescription": region.get("regionDescription")})
    return products


def find_role_id(client, org_id, product_name, display_name):
    roles = client.roles.list(org_id=org_id, type="STATIC").get("roles", [])
    for role in roles:
        if role.get("displayName") == display_name and any(
                p.get("name") == product_name for p in role.get("products", [])):
            return role["id"]
    return None


def onboard(client, org_id, claim_code):
    client.organizations.get(org_id=org_id)
    claim_info = client.subscriptions.read_claim_code(org_id=org_id, claim_code=claim_code)
    products = build_products(claim_info, "NAM")
    client.subscriptions.create(org_id=org_id, claim_code=claim_code, products=products)
    client.users.patch(org_id=org_id, users=[
        {"email": f"user{i}@{org_id}.example", "operation": "invite", "firstName": "User", "lastName": f"Number {i}"}
        for i in range(10)])
    group = client.groups.create(org_id=org_id, name="Onboarding Administrators")
    client.groups.patch(org_id=org_id, group_id=group["id"],
                        users=[{"operation": "add", "id": f"user{i}@{org_id}.example"} for i in range(10)])
    role_id = find_role_id(client, org_id, "Security Cloud Control", "Organization Administrator")
    client.roles.patch(org_id=org_id, role_id=role_id, groups=[{"operation": "add", "id": group["id"]}])


def raw_get(job):
    """`organizations.get` on Python's own http.client: a keep-alive connection per thread, the body
    decoded by `json.loads`; no SDK. Returns a function doing one call (raises on a non-200)."""
    import http.client
    from urllib.parse import urlsplit

    url = urlsplit(job["base_url"])
    path = f"/v1/organizations/{job['org_id']}"
    headers = {"Authorization": f"Bearer {job['token']}", "Accept": "application/json"}
    local = threading.local()

    def call():
        connection = getattr(local, "connection", None)
        if connection is None:
            connection = local.connection = http.client.HTTPConnection(url.hostname, url.port)
        connection.request("GET", path, headers=headers)
        answer = connection.getresponse()
        body = answer.read()
        if answer.status != 200:
            raise RuntimeError(f"HTTP {answer.status}")
        return json.loads(body)

    return call


def percentile(sorted_values, p):
    if not sorted_values:
        return 0.0
    index = max(1, min(len(sorted_values), int(-(-len(sorted_values) * p // 1)))) - 1
    return sorted_values[index]


def rss_kib():
    with open("/proc/self/status") as status:
        return int(status.read().split("VmRSS:")[1].split()[0])


def clients(job):
    """A service's per-tenant clients: `count` clients made one after another (distinct tokens), the
    time of each after the first and the resident memory they add."""
    Client(access_token="warm-up", base_url=job["base_url"], base_path="v1")
    before = rss_kib()
    kept, times = [], []
    for index in range(job["count"]):
        begun = time.perf_counter()
        kept.append(Client(access_token=f"tenant-token-{index}", base_url=job["base_url"], base_path="v1"))
        times.append((time.perf_counter() - begun) * 1000)
    times.sort()
    return {"clients": len(kept), "errors": 0, "construct_ms_p50": statistics.median(times),
            "construct_ms_p99": percentile(times, 0.99), "added_rss_kib": rss_kib() - before}


def greenlets(job):
    """`count` greenlets each making one call at once, under gevent's monkey-patching."""
    import gevent

    client = Client(access_token=job["token"], base_url=job["base_url"], base_path="v1")
    client.organizations.get(org_id=job["org_id"])
    begun = time.perf_counter()
    calls = [gevent.spawn(client.organizations.get, org_id=job["org_id"]) for _ in range(job["count"])]
    gevent.joinall(calls)
    errors = sum(1 for call in calls if not call.successful())
    return {"seconds": time.perf_counter() - begun, "calls": len(calls), "errors": errors}


def main():
    job = json.load(sys.stdin)
    if job["workload"] in ("clients", "gevent"):
        result = (clients if job["workload"] == "clients" else greenlets)(job)
        result["peak_rss_kib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(json.dumps(result))
        return
    client = Client(access_token=job["token"], base_url=job["base_url"], base_path="v1")
    if job.get("client") == "http.client":
        get_organization = raw_get(job)
    elif job.get("client") == "core":
        native, org_id = client._native, job["org_id"]

        def get_organization():
            return native.call("organizations.get", {"org_id": org_id})[1]
    else:
        def get_organization():
            return client.organizations.get(org_id=job["org_id"])
    if job["workload"] == "w1":
        threads = max(1, job.get("concurrency", 1))
        latencies = []
        errors = [0]
        lock = threading.Lock()

        def loop(count):
            mine = []
            failed = 0
            for _ in range(count):
                begun = time.perf_counter()
                try:
                    get_organization()
                except Exception:  # noqa: BLE001 - counted, like the Rust side
                    failed += 1
                mine.append((time.perf_counter() - begun) * 1000)
            with lock:
                latencies.extend(mine)
                errors[0] += failed

        shares = [job["requests"] // threads + (1 if i < job["requests"] % threads else 0) for i in range(threads)]
        started = time.perf_counter()
        if threads == 1:
            loop(shares[0])
        else:
            with ThreadPoolExecutor(threads) as pool:
                list(pool.map(loop, shares))
        seconds = time.perf_counter() - started
        latencies.sort()
        result = {"requests": len(latencies), "errors": errors[0], "seconds": seconds,
                  "rps": len(latencies) / seconds, "p50_ms": percentile(latencies, 0.5),
                  "p99_ms": percentile(latencies, 0.99)}
    else:
        errors = 0
        started = time.perf_counter()
        for org_id, claim_code in job["orgs"]:
            try:
                onboard(client, org_id, claim_code)
            except Exception:  # noqa: BLE001
                errors += 1
        result = {"seconds": time.perf_counter() - started, "orgs": len(job["orgs"]), "errors": errors}
    result["peak_rss_kib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps(result))


if __name__ == "__main__":
    main()
