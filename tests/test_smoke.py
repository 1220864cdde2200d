"""The bundled simulated Nanjing answers and the reachability check classifies it."""

from gkaudit.model import Status

from conftest import scan_web


def test_demo_sites_reachability(bundled_web):
    report = scan_web(bundled_web, bundled_web.targets(), ["reachability"])
    statuses = {site.id: site.results[0].status for site in report.sites}
    assert statuses["qinhuai"] is Status.PASS
    assert statuses["lishui"] is Status.INCONCLUSIVE  # anti-bot 412
    assert statuses["gaochun"] is Status.FAIL  # nothing listening
    assert statuses["jiangning"] is Status.PASS  # meta refresh followed
    gaochun = next(s for s in report.sites if s.id == "gaochun").results[0]
    assert gaochun.metrics["failure"] == "connect_refused"
